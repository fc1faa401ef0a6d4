//! Word enums: values written as lower-case words in exports and output.
//!
//! [`word_enum!`] declares every enum of the tool that is spelt as a word (task
//! statuses, call results, layouts, tabs, sections, verdicts …), so each word is
//! written once: the same table reads it (trimmed, case-insensitively), writes it
//! (serde, `Display`) and describes it (JSON Schema: the words as written, or every
//! spelling read under the deserialising contract).

/// Declares a lower-case word enum read trimmed and case-insensitively.
///
/// The doc comment becomes the enum's doc and its JSON Schema description.
macro_rules! word_enum {
    ($(#[doc = $doc:literal])* $name:ident { $($variant:ident = $word:literal),+ $(,)? }) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value's word in exports and output.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }

            /// Reads a word, trimmed and case-insensitively.
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                $(if s.eq_ignore_ascii_case($word) { return Some($name::$variant); })+
                None
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <$crate::model::Text<'de> as ::serde::Deserialize>::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| {
                    let expected = [$($word),+].join(", ");
                    <D::Error as ::serde::de::Error>::custom(format!(
                        "unknown value {:?}, expected one of: {expected}",
                        &*s
                    ))
                })
            }
        }

        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(generator: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                let lines: &[&str] = &[$($doc),*];
                let description = lines.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
                let words = [$($word),+];
                $crate::model::word_schema(generator, description, &words)
            }
        }
    };
}

/// The JSON Schema of a word enum: its words as written; as read, any spelling of
/// them that `parse` accepts (trimmed, ASCII case ignored).
pub(crate) fn word_schema(
    generator: &schemars::SchemaGenerator,
    description: String,
    words: &[&str],
) -> schemars::Schema {
    if !generator.contract().is_deserialize() {
        return schemars::json_schema!({ "description": description, "type": "string", "enum": words });
    }
    let spellings: Vec<String> = words
        .iter()
        .map(|word| {
            word.chars()
                .map(|c| match c {
                    c if c.is_ascii_alphabetic() => format!("[{}{}]", c.to_ascii_uppercase(), c.to_ascii_lowercase()),
                    c if c.is_ascii_alphanumeric() || c == '_' => c.to_string(),
                    c => format!("\\{c}"),
                })
                .collect()
        })
        .collect();
    let ws = super::values::white_space_class();
    let pattern = format!("^[{ws}]*({})[{ws}]*$", spellings.join("|"));
    schemars::json_schema!({
        "description": format!("{description} Read trimmed, ignoring case."),
        "type": "string",
        "anyOf": [{ "enum": words }, { "pattern": pattern }]
    })
}

pub(crate) use word_enum;

word_enum! {
    /// Status of one task.
    TaskStatus {
        Pending = "pending",
        Queued = "queued",
        InProgress = "in_progress",
        Completed = "completed",
        Failed = "failed",
        Cancelled = "cancelled",
        Skipped = "skipped",
    }
}

impl TaskStatus {
    /// Whether the task will not be dialled again.
    pub fn is_done(self) -> bool {
        matches!(self, TaskStatus::Completed | TaskStatus::Failed | TaskStatus::Cancelled | TaskStatus::Skipped)
    }
}

word_enum! {
    /// Result of one dial attempt (`other`: a platform's end reason campaign-report does not know).
    CallResult {
        Answered = "answered",
        Voicemail = "voicemail",
        NoAnswer = "no_answer",
        Busy = "busy",
        Failed = "failed",
        InvalidNumber = "invalid_number",
        Other = "other",
    }
}

word_enum! {
    /// A day of the calling window.
    Weekday {
        Mon = "mon",
        Tue = "tue",
        Wed = "wed",
        Thu = "thu",
        Fri = "fri",
        Sat = "sat",
        Sun = "sun",
    }
}

word_enum! {
    /// Processing state of an upload.
    UploadStatus {
        Staged = "staged",
        Processing = "processing",
        Completed = "completed",
        Failed = "failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_read_trimmed_and_case_insensitively() {
        assert_eq!(TaskStatus::parse(" In_Progress "), Some(TaskStatus::InProgress));
        assert_eq!(CallResult::parse("NO_ANSWER"), Some(CallResult::NoAnswer));
        assert_eq!(UploadStatus::parse("Completed"), Some(UploadStatus::Completed));
        assert_eq!(Weekday::parse("friday"), None);
    }

    #[test]
    fn an_unknown_word_lists_the_known_ones() {
        let err = serde_json::from_str::<UploadStatus>("\"done\"").unwrap_err().to_string();
        assert!(
            err.starts_with("unknown value \"done\", expected one of: staged, processing, completed, failed"),
            "{err}"
        );
    }
}
