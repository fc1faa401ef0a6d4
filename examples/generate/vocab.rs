//! The words rows are made of: campaign themes, contact names (many scripts, quotes,
//! commas and an emoji, so that readers meet escaping), area codes, time zones, voices,
//! number pool labels, call outcomes, upload reject reasons and clinics. Data only.

pub const THEMES: [&str; 10] = [
    "Spring Recall",
    "Q3 Win-back",
    "Lapsed Patient Reactivation",
    "Flu Shot Reminders",
    "Billing Follow-up",
    "No-show Follow-up",
    "Satisfaction Survey",
    "Q&A <Webinar> Invites",
    "Referral Drive",
    "Plan Renewal Outreach",
];

pub const FIRST: [&str; 24] = [
    "Emma",
    "Liam",
    "Sofía",
    "Noah",
    "Olivia",
    "Mateo",
    "Chloé",
    "Lukas",
    "Aarav",
    "Zoë",
    "Νίκος",
    "Αθηνά",
    "Дмитрий",
    "Анна",
    "محمد",
    "فاطمة",
    "יעל",
    "美咲",
    "伟",
    "지우",
    "Chinwe",
    "Robert \"Bobby\"",
    "Élodie",
    "Mary-Jane",
];

pub const LAST: [&str; 20] = [
    "Smith",
    "Nguyen",
    "García",
    "Müller",
    "O'Brien",
    "Novák",
    "Rossi",
    "Kowalski",
    "Yılmaz",
    "Γεωργίου",
    "Иванова",
    "حداد",
    "לוי",
    "佐藤",
    "김",
    "Okafor",
    "Smith, Jr.",
    "da Silva",
    "Dubois",
    "Tanaka 🦷",
];

pub const US_AREAS: [&str; 12] = ["212", "415", "617", "646", "718", "312", "305", "206", "512", "303", "404", "213"];
pub const TIMEZONES: [(&str, i64); 3] = [("America/New_York", 5), ("America/Chicago", 6), ("America/Los_Angeles", 8)];
pub const VOICES: [&str; 3] = ["alloy", "verse", "sage"];
pub const POOL_LABELS: [&str; 4] = ["Main line", "Front desk", "Overflow", "Weekend line"];
pub const OUTCOMES: [(&str, f64); 6] = [
    ("booked", 0.30),
    ("callback_booked", 0.38),
    ("not_interested", 0.73),
    ("call_back_later", 0.85),
    ("wrong_person", 0.90),
    ("do_not_call", 1.0),
];
pub const REJECT_REASONS: [(&str, &str); 4] = [
    ("invalid_phone", "not a valid phone number"),
    ("duplicate", "same phone as an earlier row"),
    ("missing_field", "phone is empty"),
    ("do_not_call", "number is on the do-not-call list"),
];

pub const CLINICS: [&str; 3] = ["Elm Street", "Harbor View", "Downtown"];

/// Every contact name: each first name with each last name.
pub fn contact_names() -> Vec<String> {
    FIRST.iter().flat_map(|f| LAST.iter().map(move |l| format!("{f} {l}"))).collect()
}

/// Agents' notes on a task or a call: free text as CRMs export it, with commas,
/// quotes and line breaks, so that CSV readers meet quoted multi-line fields.
pub const NOTES: [&str; 8] = [
    "Asked to be called after 5pm, not at work",
    "Wrong number, said \"no patient by that name\"",
    "Prefers Spanish.\nCall back with an interpreter, Tue or Thu",
    "Moved out of state; keep on file",
    "Left a message with the spouse, \"she'll call back\"",
    "Booked: Dr. Patel, 10:30\nBring insurance card, new address",
    "Hung up after the greeting",
    "Line was busy twice,\nthen voicemail full",
];

/// Versions of the voice agent that placed a call.
pub const AGENT_VERSIONS: [&str; 3] = ["2026.10.2", "2026.11.0", "2026.11.1"];
