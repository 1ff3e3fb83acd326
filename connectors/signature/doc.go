// Package signature holds the generic primitives that webhook verifiers are
// built from: constant-time HMAC checks in the common algorithm/encoding
// combinations, a configurable HMAC verifier (header, prefix, optional signed
// timestamp), Basic and Bearer checks, and Standard Webhooks
// (https://www.standardwebhooks.com) verification and signing.
//
// Each provider under connectors/ is mostly a configuration of these pieces:
// a Keyed verifier names the credential field holding the secret and the
// Scheme (an HMAC configuration, or a Token header) that checks it.
// Every function takes the current time as an argument instead of reading the
// clock, so verifiers are deterministic and tests need no sleeps. Every
// comparison of a secret or a signature goes through hmac.Equal or
// crypto/subtle; none of the errors returned here contain a secret.
package signature
