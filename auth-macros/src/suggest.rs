//! "Did you mean" suggestions.

/// The candidate closest to `given`, if it is close enough to be a likely typo.
pub(crate) fn closest<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    // Damerau-Levenshtein: a swapped pair of letters (`jtw`) counts as one edit.
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(given, c), c))
        .filter(|(distance, c)| *distance <= 2 && distance * 3 <= given.len().max(c.len()))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

/// `"; did you mean `x`?"` or nothing.
pub(crate) fn did_you_mean<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(given, candidates)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn suggests_close_names_only() {
        assert_eq!(super::closest("jtw", ["jwt", "api_key", "basic"]), Some("jwt"));
        assert_eq!(
            super::closest("apikey", ["jwt", "api_key", "basic"]),
            Some("api_key")
        );
        assert_eq!(super::closest("zzz", ["jwt", "api_key", "basic"]), None);
    }
}
