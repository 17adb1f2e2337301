//! Keyset pagination: `limit` and an opaque `cursor` that encodes the last id of a page.

use base64::Engine;

use crate::error::ApiError;

/// Default page size when `limit` is omitted.
pub const DEFAULT_LIMIT: u32 = 100;
/// Largest accepted page size.
pub const MAX_LIMIT: u32 = 1000;

const CURSOR_VERSION: &str = "k1:";

/// Encodes the last id of a page as an opaque cursor.
pub fn encode_cursor(last_id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{CURSOR_VERSION}{last_id}"))
}

/// Decodes a cursor from a previous page back into the id to continue after.
pub fn decode_cursor(cursor: &str) -> Result<String, ApiError> {
    let invalid = || {
        ApiError::invalid_parameter(
            "cursor",
            "format",
            "cursor is not one this service issued; pass nextCursor from the previous page unchanged",
        )
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    text.strip_prefix(CURSOR_VERSION)
        .map(str::to_owned)
        .ok_or_else(invalid)
}

/// Returns the page size to query: one more than `limit`, to learn whether another page follows.
pub fn fetch_size(limit: Option<u32>) -> i64 {
    i64::from(limit.unwrap_or(DEFAULT_LIMIT)) + 1
}

/// Trims the extra row fetched by [`fetch_size`] and returns the next cursor, if any.
pub fn finish<T>(
    mut rows: Vec<T>,
    limit: Option<u32>,
    id_of: impl Fn(&T) -> &str,
) -> (Vec<T>, Option<String>) {
    let limit = limit.unwrap_or(DEFAULT_LIMIT) as usize;
    if rows.len() > limit {
        rows.truncate(limit);
        let next = rows.last().map(|row| encode_cursor(id_of(row)));
        (rows, next)
    } else {
        (rows, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips() {
        let id = "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77";
        assert_eq!(decode_cursor(&encode_cursor(id)).expect("decode"), id);
    }

    #[test]
    fn foreign_cursor_is_rejected() {
        assert!(decode_cursor("not base64!").is_err());
        let other = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("x:1");
        assert!(decode_cursor(&other).is_err());
    }

    #[test]
    fn finish_sets_cursor_when_more() {
        let rows = vec!["a".to_owned(), "b".to_owned(), "c".to_owned()];
        let (page, next) = finish(rows.clone(), Some(2), |s| s.as_str());
        assert_eq!(page, vec!["a", "b"]);
        assert_eq!(
            next.map(|c| decode_cursor(&c).expect("decode")),
            Some("b".to_owned())
        );
        let (page, next) = finish(rows, Some(3), |s| s.as_str());
        assert_eq!(page.len(), 3);
        assert!(next.is_none());
    }
}
