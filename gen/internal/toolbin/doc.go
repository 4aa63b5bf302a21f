// Package toolbin builds a pinned Go tool once into the user cache, keyed
// by its module's sources (the Caddy checker, the operator oracle, the CUE
// CLI in tests, the servers e2e and the engine run).
package toolbin
