//! Wiremock request matchers shared by the generated-client wire tests.
#![allow(dead_code)]

use wiremock::{Match, Request};

/// Sorted owned pairs, so two pair lists compare regardless of order.
fn sorted(pairs: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    let mut v: Vec<_> = pairs.into_iter().collect();
    v.sort();
    v
}

fn owned(pairs: &[(&'static str, &'static str)]) -> Vec<(String, String)> {
    sorted(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
}

/// Matches when the request's decoded query pairs are exactly these (order ignored).
pub struct QueryIs(pub Vec<(&'static str, &'static str)>);

impl Match for QueryIs {
    fn matches(&self, request: &Request) -> bool {
        sorted(request.url.query_pairs().into_owned()) == owned(&self.0)
    }
}

/// Matches when the body, decoded as `application/x-www-form-urlencoded`, holds exactly these
/// pairs (order ignored).
pub struct FormIs(pub Vec<(&'static str, &'static str)>);

impl Match for FormIs {
    fn matches(&self, request: &Request) -> bool {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&request.body)
            .is_ok_and(|got| sorted(got) == owned(&self.0))
    }
}

/// Matches requests without a body.
pub struct NoBody;

impl Match for NoBody {
    fn matches(&self, request: &Request) -> bool {
        request.body.is_empty()
    }
}

/// A `NonZeroU64` from a literal the test knows is not zero.
pub fn nz(n: u64) -> std::num::NonZeroU64 {
    std::num::NonZeroU64::new(n).unwrap()
}
