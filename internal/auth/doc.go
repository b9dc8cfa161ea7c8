// Package auth holds the desk's credential primitives: argon2id password
// hashes, opaque API and session tokens stored as their SHA-256, and a
// login failure limiter. It is pure: no database, no HTTP, no goroutines.
// The store persists what it returns and the web layer decides when to
// call it. Roles and permissions belong to the model package.
package auth
