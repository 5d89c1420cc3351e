//! Everything `tracing` writes on a test's thread, at every level and target: each
//! event and span with its fields (recorded by a layer), and the text a `fmt` layer
//! prints.
//!
//! One global subscriber, installed by the first capture, hands each event to the
//! capture of the thread it happens on; its filters are dynamic ("ask every time").
//! Scoped subscribers (`set_default`) are not enough here: `tracing-core` caches a
//! callsite's interest when the callsite is first hit, and while a single dispatcher is
//! registered it asks only the *hitting thread's* default — another test's thread
//! without a subscriber then caches "never" for a callsite the audit events share, and
//! a capturing thread loses its events. (A `filter_fn` would cache the same way.)

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::io::Write;
use std::sync::{Arc, Mutex, Once};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::filter::{DynFilterFn, dynamic_filter_fn};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// The audit target the library promises.
pub const AUDIT: &str = "portcullis::audit";

/// One event or span, with its fields as text (strings as they are, the rest by `Debug`).
#[derive(Debug, Clone)]
pub struct Seen {
    pub target: String,
    pub level: Level,
    pub fields: BTreeMap<String, String>,
}

#[derive(Clone, Default)]
pub struct Capture {
    seen: Arc<Mutex<Vec<Seen>>>,
    text: Arc<Mutex<Vec<u8>>>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

thread_local! {
    /// The capture of this thread, while its guard lives.
    static CURRENT: RefCell<Option<Capture>> = const { RefCell::new(None) };
}

fn current() -> Option<Capture> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Lets through what happens on a capturing thread, asked at every event and span.
fn capturing<S>() -> DynFilterFn<S, impl Fn(&Metadata<'_>, &Context<'_, S>) -> bool> {
    dynamic_filter_fn(|_, _| CURRENT.with(|c| c.borrow().is_some()))
}

/// Stops the capture of its thread when dropped.
pub struct Guard(());

impl Drop for Guard {
    fn drop(&mut self) {
        CURRENT.with(|c| c.borrow_mut().take());
    }
}

/// Records into the current thread's capture.
struct Recorder;

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Recorder {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        if let Some(capture) = current() {
            capture.push(event.metadata().target(), *event.metadata().level(), fields);
        }
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        if let Some(capture) = current() {
            capture.push(attrs.metadata().target(), *attrs.metadata().level(), fields);
        }
    }

    fn on_record(&self, _: &Id, values: &Record<'_>, _: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        values.record(&mut Fields(&mut fields));
        if let Some(capture) = current() {
            capture.push("(span record)", Level::TRACE, fields);
        }
    }
}

/// The `fmt` layer's output, into the current thread's capture.
struct Text;

impl Write for Text {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Some(capture) = current() {
            capture.text.lock().unwrap().extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl MakeWriter<'_> for Text {
    type Writer = Text;
    fn make_writer(&self) -> Text {
        Text
    }
}

impl Capture {
    /// Captures this thread's `tracing` output (every target, every level) until the
    /// guard is dropped. The tests run on a current-thread runtime: all their tasks too
    /// (the password-hashing threads log nothing).
    pub fn start() -> (Capture, Guard) {
        static GLOBAL: Once = Once::new();
        GLOBAL.call_once(|| {
            let subscriber = tracing_subscriber::registry()
                .with(Recorder.with_filter(capturing()))
                .with(
                    tracing_subscriber::fmt::layer()
                        .with_writer(Text)
                        .with_ansi(false)
                        .with_filter(capturing()),
                );
            tracing::subscriber::set_global_default(subscriber)
                .expect("no other global subscriber in this test binary");
        });
        let capture = Capture::default();
        CURRENT.with(|c| *c.borrow_mut() = Some(capture.clone()));
        // Interest another thread cached while the global subscriber was being installed.
        tracing::callsite::rebuild_interest_cache();
        (capture, Guard(()))
    }

    fn push(&self, target: &str, level: Level, fields: BTreeMap<String, String>) {
        self.seen.lock().unwrap().push(Seen {
            target: target.to_owned(),
            level,
            fields,
        });
    }

    pub fn all(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// The audit events, in order.
    pub fn audit(&self) -> Vec<Seen> {
        self.all().into_iter().filter(|s| s.target == AUDIT).collect()
    }

    /// The names of the audit events of the request with this id, in order.
    pub fn events_of(&self, request_id: &str) -> Vec<String> {
        self.audit()
            .into_iter()
            .filter(|s| s.fields.get("request_id").map(String::as_str) == Some(request_id))
            .map(|s| s.fields["event"].clone())
            .collect()
    }

    /// The one `event` of the request `request_id`; its level and its fields (without
    /// the message) must be exactly `level` and `fields` plus `event` and `request_id`.
    #[track_caller]
    pub fn expect(&self, event: &str, request_id: &str, level: Level, fields: &[(&str, &str)]) {
        self.expect_where(event, Some(request_id), level, fields);
    }

    /// [`expect`](Self::expect) for an event of a call without a request (no `request_id`).
    #[track_caller]
    pub fn expect_where(&self, event: &str, request_id: Option<&str>, level: Level, fields: &[(&str, &str)]) {
        let found: Vec<Seen> = self
            .audit()
            .into_iter()
            .filter(|s| {
                s.fields["event"] == event && s.fields.get("request_id").map(String::as_str) == request_id
            })
            .collect();
        assert_eq!(
            found.len(),
            1,
            "one {event} of {request_id:?}; the audit events: {:#?}",
            self.audit()
        );
        let mut expected: BTreeMap<String, String> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        expected.insert("event".into(), event.into());
        if let Some(id) = request_id {
            expected.insert("request_id".into(), id.into());
        }
        let mut actual = found[0].fields.clone();
        assert!(actual.remove("message").is_some(), "every event has a message");
        assert_eq!(actual, expected, "the fields of {event} ({request_id:?})");
        assert_eq!(found[0].level, level, "the level of {event}");
    }

    /// Fails when any secret appears anywhere in what was captured: any field of any
    /// event or span of any target, or the printed log.
    #[track_caller]
    pub fn assert_free_of(&self, secrets: &[(&str, &str)]) {
        let text = String::from_utf8_lossy(&self.text.lock().unwrap()).into_owned();
        assert!(!text.is_empty(), "something was logged");
        let seen = self.all();
        for (what, secret) in secrets {
            assert!(secret.len() >= 8, "{what} is too short to search for: {secret:?}");
            assert!(!text.contains(secret), "{what} in the log:\n{text}");
            for s in &seen {
                for (name, value) in &s.fields {
                    assert!(
                        !value.contains(secret),
                        "{what} in the field {name} of a {} event: {s:?}",
                        s.target
                    );
                }
            }
        }
    }
}
