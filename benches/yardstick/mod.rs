//! The yardstick: negative-comment-storm written by hand in plain Rust, as a careful engineer
//! would for this one playbook. A `match` on an enum, fixed ring buffers, no strings, no maps,
//! no allocation after construction. It has the engine's metrics, windows, thresholds, `for`
//! windows, `after` timers and escalation ladders, and makes the same input checks (NaN, range,
//! order). `tests/yardstick.rs` checks that it takes the same transitions at the same times as
//! the engine on a stream with several crises, so that comparing their speed is fair.
#![allow(dead_code)]

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
const NEVER: i64 = i64::MAX;
const TOLERANCE: i64 = 5 * MINUTE;

/// A ring of `N` buckets of `WIDTH` ms, aligned to the epoch, with a running total.
#[derive(Clone, Copy)]
struct Ring<const N: usize, const WIDTH: i64> {
    newest: i64,
    sums: [f64; N],
    counts: [f64; N],
    squares: [f64; N],
    sum: f64,
    count: f64,
    square: f64,
}

impl<const N: usize, const WIDTH: i64> Ring<N, WIDTH> {
    fn new(now: i64) -> Self {
        Ring {
            newest: now.div_euclid(WIDTH),
            sums: [0.0; N],
            counts: [0.0; N],
            squares: [0.0; N],
            sum: 0.0,
            count: 0.0,
            square: 0.0,
        }
    }

    fn is_empty(&self) -> bool {
        self.sum == 0.0 && self.count == 0.0 && self.square == 0.0
    }

    fn next_change(&self) -> i64 {
        if self.is_empty() {
            NEVER
        } else {
            (self.newest + 1) * WIDTH
        }
    }

    /// Rolls to `time`, passing each expired non-empty bucket (index, sum, count, squares).
    fn roll(&mut self, time: i64, mut expired: impl FnMut(i64, f64, f64, f64)) {
        if time < (self.newest + 1) * WIDTH {
            return;
        }
        let target = time.div_euclid(WIDTH);
        let n = N as i64;
        let first_kept = target - n + 1;
        for index in (self.newest - n + 1)..first_kept.min(self.newest + 1) {
            let slot = index.rem_euclid(n) as usize;
            if self.sums[slot] != 0.0 || self.counts[slot] != 0.0 || self.squares[slot] != 0.0 {
                expired(
                    index,
                    self.sums[slot],
                    self.counts[slot],
                    self.squares[slot],
                );
            }
            self.sums[slot] = 0.0;
            self.counts[slot] = 0.0;
            self.squares[slot] = 0.0;
        }
        for index in (self.newest + 1).max(first_kept)..=target {
            let slot = index.rem_euclid(n) as usize;
            self.sums[slot] = 0.0;
            self.counts[slot] = 0.0;
            self.squares[slot] = 0.0;
        }
        self.newest = target;
        self.sum = self.sums.iter().sum();
        self.count = self.counts.iter().sum();
        self.square = self.squares.iter().sum();
    }

    fn merge(&mut self, index: i64, sum: f64, count: f64, square: f64) -> bool {
        if index > self.newest || index <= self.newest - N as i64 {
            return false;
        }
        let slot = index.rem_euclid(N as i64) as usize;
        self.sums[slot] += sum;
        self.counts[slot] += count;
        self.squares[slot] += square;
        self.sum += sum;
        self.count += count;
        self.square += square;
        true
    }

    /// Adds a value to a ring that keeps a total only (counts, shares, rates).
    fn add(&mut self, time: i64, value: f64) -> bool {
        self.merge(time.div_euclid(WIDTH), value, 0.0, 0.0)
    }

    /// Adds a sample to a ring that keeps moments (means).
    fn sample(&mut self, time: i64, value: f64) -> bool {
        self.merge(time.div_euclid(WIDTH), value, 1.0, value * value)
    }

    fn mean(&self) -> Option<f64> {
        (self.count > 0.0).then(|| self.sum / self.count)
    }
}

type Window5m = Ring<12, { 5 * MINUTE }>;
type Window10m = Ring<12, { 10 * MINUTE }>;
type Baseline7d = Ring<24, { 7 * HOUR }>;

/// A window that hands its expired buckets to a 7-day baseline.
#[derive(Clone, Copy)]
struct Baselined {
    window: Window5m,
    baseline: Baseline7d,
}

impl Baselined {
    fn new(now: i64) -> Self {
        Baselined {
            window: Window5m::new(now),
            baseline: Baseline7d::new(now),
        }
    }

    fn roll(&mut self, now: i64) {
        let window_start = (now.div_euclid(5 * MINUTE) - 11) * 5 * MINUTE;
        self.baseline.roll(window_start - 1, |_, _, _, _| {});
        let baseline = &mut self.baseline;
        self.window.roll(now, |index, sum, count, square| {
            let start = index * 5 * MINUTE;
            baseline.merge(start.div_euclid(7 * HOUR), sum, count, square);
        });
    }

    /// Adds to the window, or to the baseline if the window no longer covers `time`.
    fn add(&mut self, time: i64, value: f64, moments: bool) {
        let added = if moments {
            self.window.sample(time, value)
        } else {
            self.window.add(time, value)
        };
        if !added {
            let (count, square) = if moments {
                (1.0, value * value)
            } else {
                (0.0, 0.0)
            };
            self.baseline
                .merge(time.div_euclid(7 * HOUR), value, count, square);
        }
    }

    fn next_change(&self) -> i64 {
        self.window.next_change().min(self.baseline.next_change())
    }

    /// Milliseconds of baseline observed, once a quarter of the 7 days is.
    fn observed(since_start: i64) -> Option<f64> {
        let seen = (since_start - HOUR).max(0);
        (seen * 4 >= 7 * DAY).then(|| seen.min(7 * DAY) as f64)
    }
}

/// Per UTC day, the largest hourly count: today and the 14 days before (a ring of days).
#[derive(Clone, Copy)]
struct DayPeaks {
    today: i64,
    peaks: [f64; 15],
    seen: [bool; 15],
}

impl DayPeaks {
    fn new(now: i64) -> Self {
        DayPeaks {
            today: now.div_euclid(DAY),
            peaks: [0.0; 15],
            seen: [false; 15],
        }
    }

    fn roll(&mut self, time: i64) {
        let day = time.div_euclid(DAY);
        if day <= self.today {
            return;
        }
        for index in (self.today + 1).max(day - 14)..=day {
            let slot = index.rem_euclid(15) as usize;
            self.peaks[slot] = 0.0;
            self.seen[slot] = false;
        }
        self.today = day;
    }

    fn record(&mut self, time: i64, count: f64) {
        let day = time.div_euclid(DAY);
        if day > self.today || day <= self.today - 15 {
            return;
        }
        let slot = day.rem_euclid(15) as usize;
        self.peaks[slot] = if self.seen[slot] {
            self.peaks[slot].max(count)
        } else {
            count
        };
        self.seen[slot] = true;
    }

    /// The upper quartile (lower nearest rank) of the peaks of the days before today, from
    /// `first_day`; a day with no peak counts 0.
    fn typical(&self, first_day: i64) -> f64 {
        let mut values = [0.0; 14];
        let mut n = 0;
        for day in (self.today - 14).max(first_day)..self.today {
            let slot = day.rem_euclid(15) as usize;
            values[n] = if self.seen[slot] {
                self.peaks[slot]
            } else {
                0.0
            };
            n += 1;
        }
        if n == 0 {
            return 0.0;
        }
        let values = &mut values[..n];
        values.sort_by(f64::total_cmp);
        values[((n - 1) as f64 * 0.75).floor() as usize]
    }

    fn next_change(&self) -> i64 {
        if self.seen.iter().any(|seen| *seen) {
            (self.today + 1) * DAY
        } else {
            NEVER
        }
    }
}

/// Mentions: the last hour's count against the busiest hour of a typical day.
#[derive(Clone, Copy)]
struct Spike {
    window: Window5m,
    /// The hour before the window: its total is an hour's count as each bucket leaves.
    previous: Window5m,
    days: DayPeaks,
    /// The first whole day observed.
    first_day: i64,
    /// `days.typical(first_day)`, recomputed only when it can change: a hand-written detector
    /// would not sort the peaks at every signal either.
    typical: f64,
}

impl Spike {
    fn new(now: i64) -> Self {
        Spike {
            window: Window5m::new(now),
            previous: Window5m::new(now),
            days: DayPeaks::new(now),
            first_day: (now + DAY - 1).div_euclid(DAY),
            typical: 0.0,
        }
    }

    fn roll(&mut self, now: i64) {
        let window_start = (now.div_euclid(5 * MINUTE) - 11) * 5 * MINUTE;
        let (previous, days) = (&mut self.previous, &mut self.days);
        let today = days.today;
        let mut past_changed = false;
        self.window.roll(now, |index, sum, _, _| {
            let start = index * 5 * MINUTE;
            previous.roll(start, |_, _, _, _| {});
            previous.merge(index, sum, 0.0, 0.0);
            days.roll(start);
            days.record(start, previous.sum);
            past_changed |= start.div_euclid(DAY) < now.div_euclid(DAY);
        });
        self.previous.roll(window_start - 1, |_, _, _, _| {});
        self.days.roll(now);
        if past_changed || self.days.today != today {
            self.typical = self.days.typical(self.first_day);
        }
    }

    fn next_change(&self) -> i64 {
        self.window.next_change().min(self.days.next_change())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Monitoring,
    Watch,
    Issue,
    Crisis,
    Major,
    Recovering,
    Closed,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Output {
    Transition {
        at: i64,
        from: State,
        to: State,
    },
    Escalation {
        at: i64,
        state: State,
        step: u8,
        cycle: u8,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    NotFinite,
    Negative,
    OutOfRange,
    TooLate,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Signal {
    Mentions(f64),
    Negative(f64),
    Sentiment(f64),
    BoycottHits(f64),
    Journalist { national: bool },
    Ack,
    Resolve,
}

/// One run of the storm playbook, by hand.
#[derive(Clone)]
pub struct Storm {
    start: i64,
    now: i64,
    seq: u64,
    state: State,
    entered_at: i64,
    entered_seq: u64,
    pending: [i64; 3],
    volume: Spike,
    negative_part: Window10m,
    mentions_whole: Window10m,
    negative_volume: Window10m,
    mood: Baselined,
    boycott: Window5m,
    journalist_seq: u64,
    national_seq: u64,
    ack_seq: u64,
    resolve_seq: u64,
    ladder: Option<(u8, u8)>,
    out: Vec<Output>,
}

const NO_PENDING: i64 = i64::MIN;

impl Storm {
    pub fn new(start: i64) -> Storm {
        Storm {
            start,
            now: start,
            seq: 0,
            state: State::Monitoring,
            entered_at: start,
            entered_seq: 0,
            pending: [NO_PENDING; 3],
            volume: Spike::new(start),
            negative_part: Window10m::new(start),
            mentions_whole: Window10m::new(start),
            negative_volume: Window10m::new(start),
            mood: Baselined::new(start),
            boycott: Window5m::new(start),
            journalist_seq: 0,
            national_seq: 0,
            ack_seq: 0,
            resolve_seq: 0,
            ladder: None,
            out: Vec::with_capacity(16),
        }
    }

    pub fn state(&self) -> State {
        self.state
    }

    fn volume_ratio(&self) -> Option<f64> {
        // At least one whole day observed before today.
        if self.now.div_euclid(DAY) <= self.volume.first_day {
            return None;
        }
        let in_window = self.volume.window.sum;
        let typical = self.volume.typical;
        let ratio = in_window / typical.max(1.0);
        Some(if in_window < 20.0 {
            ratio.min(1.0)
        } else {
            ratio
        })
    }

    fn negative_share(&self) -> Option<f64> {
        let whole = self.mentions_whole.sum;
        (whole > 0.0).then(|| self.negative_part.sum / whole)
    }

    fn mood_drop(&self) -> Option<f64> {
        Baselined::observed(self.now - self.start)?;
        Some(self.mood.baseline.mean()? - self.mood.window.mean()?)
    }

    fn crisis_trigger(&self) -> bool {
        self.volume_ratio().is_some_and(|r| r >= 5.0)
            || self.journalist_seq > self.entered_seq
            || self.boycott.sum >= 10.0
    }

    fn calm(&self) -> bool {
        self.volume_ratio().is_some_and(|r| r < 1.5)
            && self.negative_share().is_some_and(|s| s < 0.2)
    }

    /// Evaluates guard `index` of the current state: (holds, `for` in ms or 0, `after` in ms or 0).
    fn guard(&self, index: usize) -> Option<(bool, i64, i64)> {
        let ratio = self.volume_ratio();
        let share = self.negative_share();
        let negatives = self.negative_volume.sum;
        Some(match (self.state, index) {
            (State::Monitoring, 0) | (State::Watch, 0) | (State::Issue, 0) => {
                (self.crisis_trigger(), 0, 0)
            }
            (State::Monitoring, 1) => (
                ratio.is_some_and(|r| r >= 2.0)
                    || self.mood_drop().is_some_and(|d| d >= 0.3)
                    || (share.is_some_and(|s| s >= 0.3) && negatives >= 10.0),
                10 * MINUTE,
                0,
            ),
            (State::Watch, 1) => (
                ratio.is_some_and(|r| r >= 3.0)
                    || (share.is_some_and(|s| s >= 0.4) && negatives >= 10.0),
                10 * MINUTE,
                0,
            ),
            (State::Watch, 2) => (self.calm(), 2 * HOUR, 0),
            (State::Issue, 1) => (self.calm(), HOUR, 0),
            (State::Issue, 2) => (ratio.is_some_and(|r| r >= 3.0), 0, 2 * HOUR),
            (State::Crisis, 0) => (
                self.national_seq > self.entered_seq || ratio.is_some_and(|r| r >= 10.0),
                0,
                0,
            ),
            (State::Crisis, 1) => (self.calm(), 6 * HOUR, 0),
            (State::Major, 0) => (self.calm(), DAY, 0),
            (State::Recovering, 0) => (ratio.is_some_and(|r| r >= 5.0), 30 * MINUTE, 0),
            (State::Recovering, 1) => (self.resolve_seq > self.entered_seq, 0, 3 * DAY),
            _ => return None,
        })
    }

    fn target(state: State, index: usize) -> State {
        match (state, index) {
            (State::Monitoring, 0) | (State::Watch, 0) | (State::Issue, 0) | (State::Issue, 2) => {
                State::Crisis
            }
            (State::Monitoring, 1) => State::Watch,
            (State::Watch, 1) => State::Issue,
            (State::Watch, 2) => State::Monitoring,
            (State::Issue, 1) | (State::Crisis, 1) | (State::Major, 0) => State::Recovering,
            (State::Crisis, 0) => State::Major,
            (State::Recovering, 0) => State::Crisis,
            _ => State::Closed,
        }
    }

    /// The ladder of a state: step delays, repeat period and extra cycles.
    fn ladder_of(state: State) -> Option<(&'static [i64], i64, u8)> {
        match state {
            State::Watch => Some((&[30 * MINUTE], 0, 0)),
            State::Issue => Some((&[15 * MINUTE, 45 * MINUTE], 0, 0)),
            State::Crisis => Some((&[10 * MINUTE, 40 * MINUTE], HOUR, 3)),
            State::Major => Some((&[5 * MINUTE, 15 * MINUTE], 30 * MINUTE, 4)),
            _ => None,
        }
    }

    fn ladder_due(&self) -> i64 {
        match (self.ladder, Storm::ladder_of(self.state)) {
            (Some((cycle, step)), Some((steps, every, _))) => {
                self.entered_at + every * cycle as i64 + steps[step as usize]
            }
            _ => NEVER,
        }
    }

    fn next_wake(&self) -> i64 {
        let now = self.now;
        let later = |at: i64| if at > now { at } else { NEVER };
        let mut next = later(self.volume.next_change())
            .min(later(self.negative_part.next_change()))
            .min(later(self.mentions_whole.next_change()))
            .min(later(self.negative_volume.next_change()))
            .min(later(self.mood.next_change()))
            .min(later(self.boycott.next_change()))
            .min(later(self.ladder_due()));
        for index in 0..3 {
            if let Some((_, hold, after)) = self.guard(index) {
                if hold > 0 && self.pending[index] != NO_PENDING {
                    next = next.min(later(self.pending[index] + hold));
                }
                if after > 0 {
                    next = next.min(later(self.entered_at + after));
                }
            }
        }
        next
    }

    fn set_clock(&mut self, now: i64) {
        self.now = now;
        self.volume.roll(now);
        self.negative_part.roll(now, |_, _, _, _| {});
        self.mentions_whole.roll(now, |_, _, _, _| {});
        self.negative_volume.roll(now, |_, _, _, _| {});
        self.mood.roll(now);
        self.boycott.roll(now, |_, _, _, _| {});
    }

    fn fire_ladder(&mut self) {
        while let (Some((cycle, step)), Some((steps, _, times))) =
            (self.ladder, Storm::ladder_of(self.state))
        {
            if self.ladder_due() > self.now {
                return;
            }
            self.out.push(Output::Escalation {
                at: self.now,
                state: self.state,
                step,
                cycle,
            });
            self.ladder = if (step as usize + 1) < steps.len() {
                Some((cycle, step + 1))
            } else if cycle < times {
                Some((cycle + 1, 0))
            } else {
                None
            };
        }
    }

    fn evaluate(&mut self) {
        for _ in 0..8 {
            if self.state == State::Closed {
                return;
            }
            let mut fired = None;
            for index in 0..3 {
                let Some((holds, hold, after)) = self.guard(index) else {
                    break;
                };
                if hold > 0 {
                    if holds {
                        if self.pending[index] == NO_PENDING {
                            self.pending[index] = self.now;
                        }
                    } else {
                        self.pending[index] = NO_PENDING;
                    }
                }
                let timer = self.now >= self.entered_at + after;
                let held = hold == 0
                    || (self.pending[index] != NO_PENDING
                        && self.now >= self.pending[index] + hold);
                if holds && timer && held {
                    fired = Some(index);
                    break;
                }
            }
            let Some(index) = fired else {
                return;
            };
            let to = Storm::target(self.state, index);
            self.out.push(Output::Transition {
                at: self.now,
                from: self.state,
                to,
            });
            self.state = to;
            self.entered_at = self.now;
            self.entered_seq = self.seq;
            self.pending = [NO_PENDING; 3];
            self.ladder = Storm::ladder_of(to).map(|_| (0, 0));
            self.fire_ladder();
        }
    }

    fn instant(&mut self) {
        self.fire_ladder();
        self.evaluate();
    }

    fn run_until(&mut self, until: i64, inclusive: bool) {
        loop {
            let next = self.next_wake();
            if next > until || (!inclusive && next == until) || self.state == State::Closed {
                return;
            }
            self.set_clock(next);
            self.instant();
        }
    }

    /// Feeds one signal; returns what it caused.
    pub fn observe(&mut self, at: i64, signal: Signal) -> Result<&[Output], Refused> {
        match signal {
            Signal::Mentions(v) | Signal::Negative(v) | Signal::BoycottHits(v) => {
                if !v.is_finite() {
                    return Err(Refused::NotFinite);
                }
                if v < 0.0 {
                    return Err(Refused::Negative);
                }
            }
            Signal::Sentiment(v) => {
                if !v.is_finite() {
                    return Err(Refused::NotFinite);
                }
                if !(-1.0..=1.0).contains(&v) {
                    return Err(Refused::OutOfRange);
                }
            }
            _ => {}
        }
        if self.now - at > TOLERANCE {
            return Err(Refused::TooLate);
        }
        self.out.clear();
        if self.state == State::Closed {
            return Ok(&self.out);
        }
        if at > self.now {
            self.run_until(at, false);
            if self.state == State::Closed {
                return Ok(&self.out);
            }
            self.set_clock(at);
        }
        self.seq += 1;
        match signal {
            Signal::Mentions(v) => {
                self.volume.window.add(at, v);
                self.mentions_whole.add(at, v);
            }
            Signal::Negative(v) => {
                self.negative_part.add(at, v);
                self.negative_volume.add(at, v);
            }
            Signal::Sentiment(v) => self.mood.add(at, v, true),
            Signal::BoycottHits(v) => {
                self.boycott.add(at, v);
            }
            Signal::Journalist { national } => {
                self.journalist_seq = self.seq;
                if national {
                    self.national_seq = self.seq;
                }
            }
            Signal::Ack => {
                self.ack_seq = self.seq;
                if Storm::ladder_of(self.state).is_some() {
                    self.ladder = None;
                }
            }
            Signal::Resolve => self.resolve_seq = self.seq,
        }
        self.instant();
        Ok(&self.out)
    }

    /// Moves the clock to `at`, firing what is due.
    pub fn advance_to(&mut self, at: i64) -> &[Output] {
        self.out.clear();
        if self.state == State::Closed || at <= self.now {
            return &self.out;
        }
        self.run_until(at, true);
        if self.state != State::Closed && at > self.now {
            self.set_clock(at);
            self.instant();
        }
        &self.out
    }
}
