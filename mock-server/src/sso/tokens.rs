//! Minting and verifying the mock's RS256 access tokens, with a bounded verified-claims cache.
//!
//! The signing key defaults to an RSA key embedded in the crate (`test-signing-key.pem`). It is
//! a **test-only** key, public in this repository: it exists so the mock starts in milliseconds
//! (generating RSA keys in debug builds takes seconds) and so its `kid` is stable across runs.
//! Override it with `settings.signing_key_pem` in a fixture or `msp-mock --signing-key FILE`.

use std::collections::HashMap;
use std::sync::Arc;

use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::clock::Clock;

/// The embedded test-only signing key (see the module docs).
pub const TEST_SIGNING_KEY_PEM: &str = include_str!("test-signing-key.pem");

/// The `aud` of every token the mock issues (as in GreenLake's sample tokens).
pub const AUDIENCE: &str = "external_api";

/// What a token lets its holder act as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// Issued by client_credentials to an MSP workspace's API client.
    Msp,
    /// Issued by token exchange for one tenant of an MSP.
    Tenant,
}

/// The claims of a mock access token.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer (the mock's base URL).
    pub iss: String,
    /// Subject: the API client id.
    pub sub: String,
    /// Audience, [`AUDIENCE`].
    pub aud: String,
    /// Issued at (mock clock, seconds).
    pub iat: i64,
    /// Expires at (mock clock, seconds).
    pub exp: i64,
    /// Unique token id.
    pub jti: String,
    /// The API client id.
    pub client_id: String,
    /// The workspace the token acts on (the MSP, or the tenant for a tenant token).
    pub workspace_id: Uuid,
    /// For tenant tokens, the MSP workspace that exchanged for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msp_id: Option<Uuid>,
    /// MSP or tenant token.
    pub token_kind: TokenKind,
    /// Granted scope, when one was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// RUCKUS One tokens: the tenant that owns the credential (`tenantId`).
    #[serde(rename = "tenantId", default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// RUCKUS One tokens: that tenant's type (`tenantType`, e.g. `MSP`).
    #[serde(
        rename = "tenantType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub tenant_type: Option<String>,
}

impl Claims {
    /// The MSP workspace this token belongs to (itself for MSP tokens).
    pub fn msp_id(&self) -> Uuid {
        match self.token_kind {
            TokenKind::Msp => self.workspace_id,
            TokenKind::Tenant => self.msp_id.unwrap_or(self.workspace_id),
        }
    }
}

/// Why a token was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// Not a JWT, or a JWT with an unsupported header (`alg: none`, unknown `kid`...).
    #[error("the access token is malformed: {0}")]
    Malformed(String),
    /// The signature does not verify with the mock's key.
    #[error("the access token signature is not valid")]
    BadSignature,
    /// `exp` is in the past on the mock clock.
    #[error("the access token has expired")]
    Expired,
}

/// The RSA key pair, its JWK and its `kid`.
pub struct Signer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    kid: String,
    jwk: Jwk,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// Loads an RSA private key (PKCS#1 or PKCS#8 PEM). The `kid` is the key's RFC 7638
    /// thumbprint, so it is stable for a given key.
    pub fn from_pem(pem: &str) -> Result<Self, String> {
        let encoding = EncodingKey::from_rsa_pem(pem.as_bytes())
            .map_err(|e| format!("signing key is not an RSA private key in PEM form: {e}"))?;
        let mut jwk = Jwk::from_encoding_key(&encoding, Algorithm::RS256)
            .map_err(|e| format!("signing key: {e}"))?;
        let kid = jwk
            .thumbprint(ThumbprintHash::SHA256)
            .map_err(|e| format!("signing key: {e}"))?;
        jwk.common.key_id = Some(kid.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        jwk.common.key_algorithm = Some(KeyAlgorithm::RS256);
        let decoding = DecodingKey::from_jwk(&jwk).map_err(|e| format!("signing key: {e}"))?;
        Ok(Self {
            encoding,
            decoding,
            kid,
            jwk,
        })
    }

    /// The key id put in every token header.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public JWKS document.
    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: vec![self.jwk.clone()],
        }
    }

    /// Signs `claims`.
    pub fn sign(&self, claims: &Claims) -> Result<String, String> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).map_err(|e| e.to_string())
    }

    /// Checks the header, the signature and the audience (not expiry: see [`TokenService`]).
    pub fn verify_signature(&self, token: &str) -> Result<Claims, VerifyError> {
        // `decode_header` refuses `alg: none` and any algorithm it does not know.
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| VerifyError::Malformed(e.to_string()))?;
        if header.alg != Algorithm::RS256 {
            return Err(VerifyError::Malformed(format!(
                "algorithm {:?} is not accepted; tokens are RS256",
                header.alg
            )));
        }
        if header.kid.as_deref() != Some(self.kid.as_str()) {
            return Err(VerifyError::Malformed("unknown key id (kid)".to_owned()));
        }
        let mut validation = Validation::new(Algorithm::RS256);
        // Expiry is checked against the mock clock, not the wall clock.
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        validation.set_audience(&[AUDIENCE]);
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map(|d| d.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::InvalidSignature => VerifyError::BadSignature,
                _ => VerifyError::Malformed(e.to_string()),
            })
    }
}

/// Mints tokens and verifies them, caching verified claims until they expire.
pub struct TokenService {
    signer: Signer,
    clock: Clock,
    issuer: String,
    cache: Mutex<HashMap<String, Arc<Claims>>>,
    capacity: usize,
}

impl std::fmt::Debug for TokenService {
    // Hand-written: the cache is keyed by bearer tokens, which must not reach logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenService")
            .field("signer", &self.signer)
            .field("issuer", &self.issuer)
            .field("cached", &self.cache.lock().len())
            .field("capacity", &self.capacity)
            .finish()
    }
}

/// What to put in a new token.
#[derive(Debug, Clone)]
pub struct Grant {
    /// API client id.
    pub client_id: String,
    /// Workspace acted on.
    pub workspace_id: Uuid,
    /// MSP of a tenant token.
    pub msp_id: Option<Uuid>,
    /// Token kind.
    pub kind: TokenKind,
    /// Scope, when asked for.
    pub scope: Option<String>,
    /// Lifetime, seconds.
    pub ttl_secs: u64,
}

impl TokenService {
    /// A service signing with `signer`, issuing as `issuer`, caching up to `capacity` tokens.
    pub fn new(signer: Signer, clock: Clock, issuer: String, capacity: usize) -> Self {
        Self {
            signer,
            clock,
            issuer,
            cache: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    /// The signer (for the JWKS and discovery documents).
    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    /// The issuer (`iss`).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Mints a token for `grant`, returning it with its claims.
    pub fn mint(&self, grant: Grant) -> Result<(String, Claims), String> {
        self.mint_with(grant, None)
    }

    /// Mints a token for `grant` that also carries RUCKUS One's `tenantId` and `tenantType`
    /// claims (`tenant`), when given.
    pub fn mint_with(
        &self,
        grant: Grant,
        tenant: Option<(String, String)>,
    ) -> Result<(String, Claims), String> {
        let (tenant_id, tenant_type) = tenant.unzip();
        let now = self.clock.now_unix();
        let ttl = i64::try_from(grant.ttl_secs).unwrap_or(i64::MAX / 2);
        let claims = Claims {
            iss: self.issuer.clone(),
            sub: grant.client_id.clone(),
            aud: AUDIENCE.to_owned(),
            iat: now,
            exp: now.saturating_add(ttl),
            jti: Uuid::new_v4().to_string(),
            client_id: grant.client_id,
            workspace_id: grant.workspace_id,
            msp_id: grant.msp_id,
            token_kind: grant.kind,
            scope: grant.scope,
            tenant_id,
            tenant_type,
        };
        let token = self.signer.sign(&claims)?;
        tracing::debug!(
            client_id = %claims.client_id,
            workspace_id = %claims.workspace_id,
            kind = ?claims.token_kind,
            ttl_secs = ttl,
            "token issued"
        );
        Ok((token, claims))
    }

    /// Verifies `token` (header, signature, audience, expiry on the mock clock). A token that
    /// verified once is answered from the cache until it expires.
    pub fn verify(&self, token: &str) -> Result<Arc<Claims>, VerifyError> {
        let now = self.clock.now_unix();
        if let Some(c) = self.cache.lock().get(token).cloned() {
            return if now >= c.exp {
                Err(VerifyError::Expired)
            } else {
                Ok(c)
            };
        }
        let claims = Arc::new(self.signer.verify_signature(token)?);
        if now >= claims.exp {
            return Err(VerifyError::Expired);
        }
        let mut cache = self.cache.lock();
        if cache.len() >= self.capacity {
            cache.retain(|_, c| c.exp > now);
            if cache.len() >= self.capacity {
                cache.clear();
            }
        }
        cache.insert(token.to_owned(), claims.clone());
        Ok(claims)
    }

    /// Forgets every cached verification.
    pub fn clear_cache(&self) {
        self.cache.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> TokenService {
        let signer = Signer::from_pem(TEST_SIGNING_KEY_PEM).unwrap();
        TokenService::new(
            signer,
            Clock::manual(chrono::Utc::now()),
            "http://mock".into(),
            2,
        )
    }

    fn grant() -> Grant {
        Grant {
            client_id: "c".into(),
            workspace_id: Uuid::new_v4(),
            msp_id: None,
            kind: TokenKind::Msp,
            scope: None,
            ttl_secs: 60,
        }
    }

    #[test]
    fn round_trip_then_expiry() {
        let s = service();
        let (t, c) = s.mint(grant()).unwrap();
        assert_eq!(*s.verify(&t).unwrap(), c);
        s.clock.advance(61.0);
        assert_eq!(s.verify(&t).unwrap_err(), VerifyError::Expired);
    }

    #[test]
    fn tampered_and_unsigned_tokens_are_refused() {
        let s = service();
        let (t, _) = s.mint(grant()).unwrap();
        let mut parts: Vec<String> = t.split('.').map(str::to_owned).collect();
        // Flip a character of the signature.
        let sig = parts[2].clone();
        let flipped = if sig.starts_with('A') { "B" } else { "A" };
        parts[2] = format!("{flipped}{}", &sig[1..]);
        assert_eq!(
            s.verify(&parts.join(".")).unwrap_err(),
            VerifyError::BadSignature
        );
        // alg=none
        let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.", parts[1]);
        assert!(matches!(s.verify(&none), Err(VerifyError::Malformed(_))));
        assert!(matches!(
            s.verify("garbage"),
            Err(VerifyError::Malformed(_))
        ));
    }

    #[test]
    fn debug_output_hides_tokens() {
        let s = service();
        let (t, _) = s.mint(grant()).unwrap();
        s.verify(&t).unwrap();
        let dbg = format!("{s:?}");
        assert!(!dbg.contains(&t[..20]), "{dbg}");
        assert!(dbg.contains("cached: 1"));
    }

    #[test]
    fn cache_stays_bounded() {
        let s = service();
        for _ in 0..5 {
            let (t, _) = s.mint(grant()).unwrap();
            s.verify(&t).unwrap();
        }
        assert!(s.cache.lock().len() <= 2);
    }
}
