//! A small crisis service: one run per subject, fed over HTTP, durable in SQLite.
//!
//! ```text
//! cargo run --example crisis_service -- --db crisis.db --addr 127.0.0.1:8080 --max-subjects 10000
//! cargo run --example crisis_service -- --self-test      # what CI runs
//! ```
//!
//! - `POST /signals` applies a batch of signals for many subjects, once per idempotency key, and
//!   answers with the actions and escalations it caused.
//! - `GET /events?after=<cursor>` reads the outbox in order, so a consumer resumes where it
//!   stopped.
//! - `GET /subjects/{id}` gives the state, the open actions and the explanation;
//!   `GET /subjects/{id}/report` the after-action report; `POST /subjects/{id}/ack` acknowledges.
//!
//! Run snapshots are written in the same SQLite transaction as the outbox and the batch's answer,
//! so a service killed at any point restarts with no lost and no duplicated event: a batch either
//! committed (its retry gets the stored answer) or left no trace (its retry applies it). A bad
//! request gets a 4xx with a JSON error and changes nothing: the batch runs on copies of the runs
//! it touches, which replace the live ones only after the commit.
//!
//! An idempotency key belongs to its endpoint, and for an ack to its subject: the same key at
//! `/signals` and at `/subjects/b/ack` names two requests. A key sent again with another body
//! is refused with a 422, since answering with the first request's answer would hide that the
//! second was never applied.
//!
//! # Bounds
//!
//! Every request holds one lock over the runs and the database while it applies, so each is
//! bounded before it takes the lock:
//!
//! - a body holds at most 1 MiB (`MAX_BODY_BYTES`, a 413), and a batch at most 1,000 signals
//!   (`MAX_SIGNALS_PER_BATCH`, a 413);
//! - each signal is one `Run::observe` call, whose work the library bounds
//!   (`MAX_INSTANTS_PER_CALL` instants, about 2,000 events at most, values up to
//!   `MAX_SIGNAL_VALUE`), so a batch is at most 1,000 such calls; and a batch that causes more
//!   than 10,000 events (`MAX_EVENTS_PER_BATCH`, a 413) is refused whole, since 500 subjects
//!   each jumping years ahead once wrote 750,000 events (320 MB) from a 95 KB request. One
//!   signal never causes that many, so a refused batch can always be split;
//! - the service follows at most `--max-subjects` subjects (10,000 by default, about 5 KB of
//!   memory each): a batch that would start one more is refused whole with a 507 Insufficient
//!   Storage that names the cap, since the request is valid and only the service's capacity is
//!   short. Ended runs are kept for their reports; raise the cap or start another service.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use crisis_playbook::report::Report;
use crisis_playbook::trace::Record;
use crisis_playbook::{Event, EventKind, Playbook, Run, RunSettings, Snapshot};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The largest request body, in bytes.
const MAX_BODY_BYTES: usize = 1 << 20;
/// The most signals in one batch.
const MAX_SIGNALS_PER_BATCH: usize = 1_000;
/// The most events one batch may cause.
const MAX_EVENTS_PER_BATCH: usize = 10_000;
/// The default of `--max-subjects`.
const DEFAULT_MAX_SUBJECTS: usize = 10_000;

/// The live runs and the database that makes them durable.
struct Service {
    playbook: Playbook,
    db: Connection,
    runs: BTreeMap<String, Run>,
    /// The most subjects the service follows (`--max-subjects`).
    max_subjects: usize,
}

type Shared = Arc<Mutex<Service>>;

/// A 4xx answer: the status and what is wrong.
struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, message.into())
}

/// A body axum could not read as the expected JSON: too large (413), or malformed (400).
fn rejected(rejection: JsonRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "a request body holds at most {MAX_BODY_BYTES} bytes: send fewer signals per batch"
            ),
        )
    } else {
        bad_request(rejection.body_text())
    }
}

fn internal(error: impl std::fmt::Display) -> ApiError {
    ApiError(StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Batch {
    idempotency_key: String,
    signals: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Ack {
    idempotency_key: String,
    at: String,
    by: String,
}

#[derive(Deserialize)]
struct After {
    #[serde(default)]
    after: i64,
    #[serde(default = "default_limit")]
    limit: i64,
}

fn default_limit() -> i64 {
    500
}

#[derive(Deserialize)]
struct ReportQuery {
    locale: Option<String>,
}

impl Service {
    fn open(
        playbook: Playbook,
        path: &std::path::Path,
        max_subjects: usize,
    ) -> Result<Service, String> {
        let db = Connection::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        db.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             CREATE TABLE IF NOT EXISTS runs (subject TEXT PRIMARY KEY, snapshot TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS outbox (
                 cursor INTEGER PRIMARY KEY AUTOINCREMENT,
                 subject TEXT NOT NULL,
                 event TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS requests (
                 endpoint TEXT NOT NULL,
                 key TEXT NOT NULL,
                 digest BLOB NOT NULL,
                 answer TEXT NOT NULL,
                 PRIMARY KEY (endpoint, key));",
        )
        .map_err(|e| e.to_string())?;
        let mut runs = BTreeMap::new();
        {
            let mut rows = db
                .prepare("SELECT subject, snapshot FROM runs")
                .map_err(|e| e.to_string())?;
            let stored = rows
                .query_map([], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
                })
                .map_err(|e| e.to_string())?;
            for row in stored {
                let (subject, json) = row.map_err(|e| e.to_string())?;
                let snapshot: Snapshot =
                    serde_json::from_str(&json).map_err(|e| format!("{subject}: {e}"))?;
                let run =
                    Run::restore(&playbook, snapshot).map_err(|e| format!("{subject}: {e}"))?;
                runs.insert(subject, run);
            }
        }
        Ok(Service {
            playbook,
            db,
            runs,
            max_subjects,
        })
    }

    /// Applies a batch sent to `endpoint` once: the stored answer for a key seen there before
    /// with the same signals, else everything or nothing.
    fn apply(&mut self, endpoint: &str, key: &str, signals: &[Value]) -> Result<Value, ApiError> {
        let digest = serde_json::to_vec(signals)
            .map(|bytes| Sha256::digest(bytes).to_vec())
            .map_err(internal)?;
        let stored: Option<(Vec<u8>, String)> = self
            .db
            .query_row(
                "SELECT digest, answer FROM requests WHERE endpoint = ?1 AND key = ?2",
                [endpoint, key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(internal)?;
        if let Some((stored_digest, answer)) = stored {
            if stored_digest != digest {
                return Err(ApiError(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!(
                        "idempotency key `{key}` was already used at {endpoint} for another \
                         request: use a new key for a new request"
                    ),
                ));
            }
            return serde_json::from_str(&answer).map_err(internal);
        }
        let mut touched: BTreeMap<String, Run> = BTreeMap::new();
        let mut new_subjects = 0usize;
        let mut emitted: Vec<(String, Event)> = Vec::new();
        for (index, signal) in signals.iter().enumerate() {
            let place = format!("signals[{index}]");
            let mut fields = signal
                .as_object()
                .cloned()
                .ok_or_else(|| bad_request(format!("{place}: expected an object")))?;
            let subject = match fields.remove("subject") {
                Some(Value::String(subject)) if !subject.is_empty() => subject,
                _ => {
                    return Err(bad_request(format!(
                        "{place}: `subject` must be a non-empty text"
                    )));
                }
            };
            let record = Record::from_json(index, &Value::Object(fields).to_string())
                .map_err(|e| bad_request(format!("{place}: {}", without_line(&e.to_string()))))?;
            if !touched.contains_key(&subject) {
                let run = match self.runs.get(&subject) {
                    Some(run) => run.clone(),
                    None => {
                        let total = self
                            .runs
                            .len()
                            .saturating_add(new_subjects)
                            .saturating_add(1);
                        if total > self.max_subjects {
                            return Err(ApiError(
                                StatusCode::INSUFFICIENT_STORAGE,
                                format!(
                                    "{place}: `{subject}` would be subject number {total}, beyond \
                                     the service's cap of {} (--max-subjects): no signal of this \
                                     batch was applied",
                                    self.max_subjects
                                ),
                            ));
                        }
                        new_subjects += 1;
                        let run = Run::with_settings(
                            &self.playbook,
                            RunSettings::new(&subject),
                            record.at,
                        )
                        .map_err(|e| bad_request(format!("{place}: {e}")))?;
                        emitted.extend(run.events().iter().map(|e| (subject.clone(), e.clone())));
                        run
                    }
                };
                touched.insert(subject.clone(), run);
            }
            let run = touched
                .get_mut(&subject)
                .ok_or_else(|| internal("run vanished"))?;
            let events = record.apply(run).map_err(|e| {
                ApiError(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("{place} ({subject}): {}", without_line(&e.to_string())),
                )
            })?;
            emitted.extend(events.iter().map(|e| (subject.clone(), e.clone())));
            // One call emits a bounded number of events, but a batch of calls that each catch
            // up years would fill the outbox with hundreds of megabytes under the lock.
            if emitted.len() > MAX_EVENTS_PER_BATCH {
                return Err(ApiError(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!(
                        "{place} ({subject}): the batch caused more than {MAX_EVENTS_PER_BATCH} \
                         events by here: send its signals in smaller batches; no signal of this \
                         batch was applied"
                    ),
                ));
            }
        }
        let tx = self.db.transaction().map_err(internal)?;
        let mut listed = Vec::new();
        for (subject, event) in &emitted {
            let text = serde_json::to_string(event).map_err(internal)?;
            tx.execute(
                "INSERT INTO outbox (subject, event) VALUES (?1, ?2)",
                params![subject, text],
            )
            .map_err(internal)?;
            if matches!(
                event.kind,
                EventKind::Action { .. } | EventKind::Escalation { .. }
            ) {
                listed.push(
                    json!({ "cursor": tx.last_insert_rowid(), "subject": subject, "event": event }),
                );
            }
        }
        for (subject, run) in &touched {
            let snapshot = serde_json::to_string(&run.snapshot()).map_err(internal)?;
            tx.execute(
                "INSERT INTO runs (subject, snapshot) VALUES (?1, ?2)
                 ON CONFLICT (subject) DO UPDATE SET snapshot = excluded.snapshot",
                params![subject, snapshot],
            )
            .map_err(internal)?;
        }
        let answer = json!({ "applied": signals.len(), "events": emitted.len(), "actions_and_escalations": listed });
        tx.execute(
            "INSERT INTO requests (endpoint, key, digest, answer) VALUES (?1, ?2, ?3, ?4)",
            params![endpoint, key, digest, answer.to_string()],
        )
        .map_err(internal)?;
        tx.commit().map_err(internal)?;
        self.runs.extend(touched);
        Ok(answer)
    }

    /// Every stored event of one subject, in order.
    fn timeline(&self, subject: &str) -> Result<Vec<Event>, ApiError> {
        let mut rows = self
            .db
            .prepare("SELECT event FROM outbox WHERE subject = ?1 ORDER BY cursor")
            .map_err(internal)?;
        rows.query_map([subject], |row| row.get::<_, String>(0))
            .map_err(internal)?
            .map(|text| {
                let text = text.map_err(internal)?;
                serde_json::from_str(&text).map_err(internal)
            })
            .collect()
    }
}

/// Trace errors say "line N: …"; in a request the place is the signal's index.
fn without_line(message: &str) -> &str {
    match message.split_once(": ") {
        Some((line, rest)) if line.starts_with("line ") => rest,
        _ => message,
    }
}

fn lock(state: &Shared) -> MutexGuard<'_, Service> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn post_signals(
    State(state): State<Shared>,
    body: Result<Json<Batch>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(batch) = body.map_err(rejected)?;
    if batch.signals.len() > MAX_SIGNALS_PER_BATCH {
        return Err(ApiError(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "a batch holds at most {MAX_SIGNALS_PER_BATCH} signals, this one {}: send them in \
                 smaller batches",
                batch.signals.len()
            ),
        ));
    }
    lock(&state)
        .apply("/signals", &batch.idempotency_key, &batch.signals)
        .map(Json)
}

async fn post_ack(
    State(state): State<Shared>,
    Path(subject): Path<String>,
    body: Result<Json<Ack>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(ack) = body.map_err(rejected)?;
    let mut service = lock(&state);
    if !service.runs.contains_key(&subject) {
        return Err(ApiError(
            StatusCode::NOT_FOUND,
            format!("no subject `{subject}`"),
        ));
    }
    let signal = json!({ "subject": subject, "at": ack.at, "signal": "ack", "by": ack.by });
    let endpoint = format!("/subjects/{subject}/ack");
    service
        .apply(&endpoint, &ack.idempotency_key, &[signal])
        .map(Json)
}

async fn get_events(
    State(state): State<Shared>,
    Query(query): Query<After>,
) -> Result<Json<Value>, ApiError> {
    let service = lock(&state);
    let mut rows = service
        .db
        .prepare(
            "SELECT cursor, subject, event FROM outbox WHERE cursor > ?1 ORDER BY cursor LIMIT ?2",
        )
        .map_err(internal)?;
    let events: Vec<Value> = rows
        .query_map(params![query.after, query.limit.clamp(1, 5_000)], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })
        .map_err(internal)?
        .filter_map(Result::ok)
        .map(|(cursor, subject, event)| {
            let event: Value = serde_json::from_str(&event).unwrap_or(Value::Null);
            json!({ "cursor": cursor, "subject": subject, "event": event })
        })
        .collect();
    let next = events
        .last()
        .map_or(query.after, |e| e["cursor"].as_i64().unwrap_or(query.after));
    Ok(Json(json!({ "events": events, "next": next })))
}

async fn get_subject(
    State(state): State<Shared>,
    Path(subject): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let service = lock(&state);
    let run = service
        .runs
        .get(&subject)
        .ok_or_else(|| ApiError(StatusCode::NOT_FOUND, format!("no subject `{subject}`")))?;
    let open: Vec<Value> = run
        .open_actions()
        .map(|a| json!({ "state": a.state, "action": a.action, "owner": a.owner, "due": a.due, "breached": a.breached }))
        .collect();
    Ok(Json(json!({
        "subject": subject,
        "state": run.state_name(),
        "severity": run.severity(),
        "open_actions": open,
        "explanation": run.explain(),
    })))
}

async fn get_report(
    State(state): State<Shared>,
    Path(subject): Path<String>,
    Query(query): Query<ReportQuery>,
) -> Result<Json<Value>, ApiError> {
    let service = lock(&state);
    if !service.runs.contains_key(&subject) {
        return Err(ApiError(
            StatusCode::NOT_FOUND,
            format!("no subject `{subject}`"),
        ));
    }
    let events = service.timeline(&subject)?;
    let locale = query
        .locale
        .unwrap_or_else(|| service.playbook.locale().to_string());
    let report = Report::from_timeline(&service.playbook, &events, &locale);
    Ok(Json(
        json!({ "report": report, "markdown": report.markdown() }),
    ))
}

fn router(state: Shared) -> Router {
    Router::new()
        .route("/signals", post(post_signals))
        .route("/events", get(get_events))
        .route("/subjects/{id}", get(get_subject))
        .route("/subjects/{id}/report", get(get_report))
        .route("/subjects/{id}/ack", post(post_ack))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

struct Options {
    db: PathBuf,
    addr: String,
    playbook: PathBuf,
    max_subjects: usize,
    self_test: bool,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        db: PathBuf::from("crisis.db"),
        addr: "127.0.0.1:8080".to_string(),
        playbook: PathBuf::from("playbooks/negative-comment-storm.yaml"),
        max_subjects: DEFAULT_MAX_SUBJECTS,
        self_test: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--db" => options.db = PathBuf::from(value("--db")?),
            "--addr" => options.addr = value("--addr")?,
            "--playbook" => options.playbook = PathBuf::from(value("--playbook")?),
            "--max-subjects" => {
                let text = value("--max-subjects")?;
                options.max_subjects = text.parse().map_err(|_| {
                    format!("--max-subjects needs a whole number of subjects, got `{text}`")
                })?;
            }
            "--self-test" => options.self_test = true,
            other => {
                return Err(format!(
                    "unknown argument `{other}`: use --db, --addr, --playbook, --max-subjects or \
                     --self-test"
                ));
            }
        }
    }
    Ok(options)
}

fn main() -> std::process::ExitCode {
    match start() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn start() -> Result<(), String> {
    let options = options()?;
    let playbook = Playbook::from_path(&options.playbook).map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    if options.self_test {
        let dir =
            std::env::temp_dir().join(format!("crisis-service-self-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let outcome = self_test(
            &runtime,
            playbook,
            &dir.join("crisis.db"),
            options.max_subjects,
        );
        let _ = std::fs::remove_dir_all(&dir);
        return outcome;
    }
    let service = Service::open(playbook, &options.db, options.max_subjects)?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&options.addr)
            .await
            .map_err(|e| format!("{}: {e}", options.addr))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        // The first line says where to connect; tests read it.
        println!("listening on {addr}");
        axum::serve(listener, router(Arc::new(Mutex::new(service))))
            .await
            .map_err(|e| e.to_string())
    })
}

/// Starts the service on a free port and walks through every endpoint, as CI does.
fn self_test(
    runtime: &tokio::runtime::Runtime,
    playbook: Playbook,
    db: &std::path::Path,
    max_subjects: usize,
) -> Result<(), String> {
    let service = Service::open(playbook, db, max_subjects)?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .map_err(|e| e.to_string())?;
    let base = format!(
        "http://{}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    runtime
        .spawn(async move { axum::serve(listener, router(Arc::new(Mutex::new(service)))).await });
    let post = |path: &str, body: Value| match ureq::post(&format!("{base}{path}")).send_json(body)
    {
        Ok(response) => Ok((
            200,
            response.into_json::<Value>().map_err(|e| e.to_string())?,
        )),
        Err(ureq::Error::Status(code, response)) => Ok((
            code,
            response.into_json::<Value>().map_err(|e| e.to_string())?,
        )),
        Err(e) => Err(e.to_string()),
    };
    let get = |path: &str| -> Result<Value, String> {
        ureq::get(&format!("{base}{path}"))
            .call()
            .map_err(|e| e.to_string())?
            .into_json()
            .map_err(|e| e.to_string())
    };
    let check = |ok: bool, what: &str| {
        if ok {
            println!("ok: {what}");
            Ok(())
        } else {
            Err(format!("self-test failed: {what}"))
        }
    };

    let batch = json!({ "idempotency_key": "b1", "signals": [
        { "subject": "brand-a", "at": "2026-03-02T08:00:00Z", "signal": "mentions", "value": 20 },
        { "subject": "brand-a", "at": "2026-03-02T08:05:00Z", "signal": "journalist", "attrs": { "tier": "national" } },
        { "subject": "brand-b", "at": "2026-03-02T08:05:00Z", "signal": "mentions", "value": 3 },
    ]});
    let (status, first) = post("/signals", batch.clone())?;
    check(
        status == 200
            && first["actions_and_escalations"]
                .as_array()
                .is_some_and(|a| !a.is_empty()),
        "a national journalist recommends actions",
    )?;
    let (_, again) = post("/signals", batch)?;
    check(
        again == first,
        "a retried batch gets the same answer and is applied once",
    )?;
    let events = get("/events?after=0")?;
    let count = events["events"].as_array().map_or(0, Vec::len);
    check(
        count == first["events"].as_u64().unwrap_or(0) as usize,
        "the outbox holds each event once",
    )?;
    let cursor = events["next"].as_i64().unwrap_or(0);
    check(
        get(&format!("/events?after={cursor}"))?["events"]
            .as_array()
            .is_some_and(Vec::is_empty),
        "reading after the last cursor gives nothing new",
    )?;
    let (status, bad) = post(
        "/signals",
        json!({ "idempotency_key": "b2", "signals": [
            { "subject": "brand-a", "at": "2026-03-02T09:00:00Z", "signal": "mentions", "value": 5 },
            { "subject": "brand-a", "at": "2026-03-02T09:00:00Z", "signal": "mentions", "value": -1 },
        ]}),
    )?;
    check(
        status == 422
            && bad["error"] == "signals[1] (brand-a): `mentions`: a count cannot be negative (-1)",
        "a bad signal is refused with its place",
    )?;
    check(
        get(&format!("/events?after={cursor}"))?["events"]
            .as_array()
            .is_some_and(Vec::is_empty),
        "a refused batch changes nothing",
    )?;
    let (status, _) = post("/signals", json!({ "idempotency_key": "b3" }))?;
    check(status == 400, "a malformed body is a 400")?;
    let (status, acked) = post(
        "/subjects/brand-a/ack",
        json!({ "idempotency_key": "a1", "at": "2026-03-02T08:10:00Z", "by": "comms_director" }),
    )?;
    check(
        status == 200 && acked["events"].as_u64() > Some(0),
        "an ack is taken",
    )?;
    let subject = get("/subjects/brand-a")?;
    check(
        subject["state"] == "crisis"
            && subject["open_actions"]
                .as_array()
                .is_some_and(|a| !a.is_empty()),
        "the subject shows its state and open actions",
    )?;
    let report = get("/subjects/brand-a/report?locale=fr")?;
    check(
        report["markdown"]
            .as_str()
            .is_some_and(|m| m.starts_with("# Revue après incident")),
        "the report comes in French",
    )?;
    // Idempotency keys are scoped per endpoint and per subject: a key used at `/signals` or
    // for another subject's ack is a new request here.
    let outbox_end = get("/events?after=0&limit=5000")?["next"]
        .as_i64()
        .unwrap_or(0);
    for key in ["a1", "b1"] {
        let (status, answer) = post(
            "/subjects/brand-b/ack",
            json!({ "idempotency_key": key, "at": "2026-03-02T08:10:00Z", "by": "social_lead" }),
        )?;
        let new_inputs = get(&format!("/events?after={outbox_end}"))?["events"]
            .as_array()
            .map_or(0, |events| {
                events
                    .iter()
                    .filter(|e| e["subject"] == "brand-b" && e["event"]["kind"] == "input")
                    .count()
            });
        check(
            status == 200
                && answer == json!({ "applied": 1, "events": 1, "actions_and_escalations": [] })
                && new_inputs == usize::from(key == "b1") + 1,
            &format!("an ack for brand-b with key `{key}`, used elsewhere, is applied"),
        )?;
    }
    let expect_error = |path: &str, body: Value, status: u16, error: &str| -> Result<(), String> {
        let (got, answer) = post(path, body)?;
        if got != status || answer != json!({ "error": error }) {
            let answer: String = answer.to_string().chars().take(300).collect();
            return Err(format!(
                "self-test failed: {path}: expected {status} {error}, got {got} {answer}"
            ));
        }
        println!("ok: {path}: {status} {error}");
        Ok(())
    };
    expect_error(
        "/signals",
        json!({ "idempotency_key": "b1", "signals": [] }),
        422,
        "idempotency key `b1` was already used at /signals for another request: \
         use a new key for a new request",
    )?;
    expect_error(
        "/subjects/brand-a/ack",
        json!({ "idempotency_key": "a1", "at": "2026-03-02T08:10:00Z", "by": "social_lead" }),
        422,
        "idempotency key `a1` was already used at /subjects/brand-a/ack for another request: \
         use a new key for a new request",
    )?;
    let signal = json!({ "subject": "brand-a", "at": "2026-03-02T09:00:00Z", "signal": "mentions", "value": 1 });
    expect_error(
        "/signals",
        json!({ "idempotency_key": "big", "signals": vec![signal; MAX_SIGNALS_PER_BATCH + 1] }),
        413,
        &format!(
            "a batch holds at most {MAX_SIGNALS_PER_BATCH} signals, this one {}: \
             send them in smaller batches",
            MAX_SIGNALS_PER_BATCH + 1
        ),
    )?;
    expect_error(
        "/signals",
        json!({ "idempotency_key": "huge", "signals": [], "padding": "x".repeat(MAX_BODY_BYTES) }),
        413,
        &format!(
            "a request body holds at most {MAX_BODY_BYTES} bytes: send fewer signals per batch"
        ),
    )?;
    // Ten subjects in a crisis, each jumping to the year 9999: about 1,500 events each.
    let jumps: Vec<Value> = (0..10)
        .map(|n| json!({ "subject": format!("far-{n}"), "at": "2026-03-02T08:00:00Z", "signal": "journalist", "attrs": { "tier": "national" } }))
        .chain((0..10).map(|n| json!({ "subject": format!("far-{n}"), "at": "9999-12-30T00:00:00Z", "signal": "mentions", "value": 1 })))
        .collect();
    expect_error(
        "/signals",
        json!({ "idempotency_key": "far", "signals": jumps }),
        413,
        &format!(
            "signals[16] (far-6): the batch caused more than {MAX_EVENTS_PER_BATCH} events by \
             here: send its signals in smaller batches; no signal of this batch was applied"
        ),
    )?;
    let missing = ureq::get(&format!("{base}/subjects/nobody")).call();
    check(
        matches!(missing, Err(ureq::Error::Status(404, _))),
        "an unknown subject is a 404",
    )?;
    println!("self-test passed");
    Ok(())
}
