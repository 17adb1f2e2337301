//! Authentication and authorization: OAuth2 client credentials, JWT bearer tokens, scopes and
//! the [`Principal`] extractor that gives handlers the caller's scopes and districts.

pub mod active;
pub mod jwt;
pub mod principal;
pub mod rate_limit;
pub mod secret;
pub mod token;

pub use active::ActiveClients;
pub use jwt::TokenKeys;
pub use principal::Principal;
pub use rate_limit::{Quota, RateLimits};

use std::fmt;
use std::str::FromStr;

/// A capability a client may hold. Write scopes do not imply read scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    StudentsRead,
    StudentsWrite,
    CoursesRead,
    CoursesWrite,
    PlansRead,
    PlansWrite,
    SurveysRead,
    SurveysWrite,
    SurveysAdmin,
    RulesRead,
    RulesWrite,
    ReviewsRead,
    ReviewsWrite,
    ReviewsAdmin,
    ChangesRead,
}

impl Scope {
    pub const ALL: [Scope; 15] = [
        Scope::StudentsRead,
        Scope::StudentsWrite,
        Scope::CoursesRead,
        Scope::CoursesWrite,
        Scope::PlansRead,
        Scope::PlansWrite,
        Scope::SurveysRead,
        Scope::SurveysWrite,
        Scope::SurveysAdmin,
        Scope::RulesRead,
        Scope::RulesWrite,
        Scope::ReviewsRead,
        Scope::ReviewsWrite,
        Scope::ReviewsAdmin,
        Scope::ChangesRead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::StudentsRead => "students:read",
            Scope::StudentsWrite => "students:write",
            Scope::CoursesRead => "courses:read",
            Scope::CoursesWrite => "courses:write",
            Scope::PlansRead => "plans:read",
            Scope::PlansWrite => "plans:write",
            Scope::SurveysRead => "surveys:read",
            Scope::SurveysWrite => "surveys:write",
            Scope::SurveysAdmin => "surveys:admin",
            Scope::RulesRead => "rules:read",
            Scope::RulesWrite => "rules:write",
            Scope::ReviewsRead => "reviews:read",
            Scope::ReviewsWrite => "reviews:write",
            Scope::ReviewsAdmin => "reviews:admin",
            Scope::ChangesRead => "changes:read",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scope {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Scope::ALL
            .into_iter()
            .find(|scope| scope.as_str() == value)
            .ok_or_else(|| {
                let known: Vec<_> = Scope::ALL.iter().map(|s| s.as_str()).collect();
                format!(
                    "unknown scope {value:?}; known scopes: {}",
                    known.join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_round_trips_through_its_name() {
        for scope in Scope::ALL {
            assert_eq!(scope.as_str().parse::<Scope>(), Ok(scope));
        }
    }

    #[test]
    fn unknown_scope_lists_known_ones() {
        let error = "plans:delete".parse::<Scope>().expect_err("unknown scope");
        assert!(error.contains("students:read"), "{error}");
    }
}
