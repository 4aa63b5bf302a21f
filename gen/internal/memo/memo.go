// Package memo remembers the results of deterministic computations by a
// hash of everything they read. gen runs once per process, where it saves
// nothing; the tool's tests run gen hundreds of times in one process (bad
// edits, fuzz draws), and most edits leave the rule file or the Kubernetes
// objects as they were: those checks then cost a lookup instead of a run of
// Prometheus's rule engine or of the operator oracle, with the same result.
package memo

import (
	"crypto/sha256"
	"sync"
)

// Cache maps a hash of a computation's inputs to its result.
type Cache[V any] struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]V
}

// Do returns the result remembered for inputs, or runs f and remembers what
// it returns unless it fails. inputs must be everything f reads; f must give
// the same result for the same inputs. Two callers with the same new inputs
// may both run f.
func (c *Cache[V]) Do(inputs [][]byte, f func() (V, error)) (V, error) {
	h := sha256.New()
	for _, in := range inputs {
		// Each input's length first, so that no two lists hash alike.
		var n [8]byte
		for i, l := 0, uint64(len(in)); i < 8; i++ {
			n[i] = byte(l >> (8 * i))
		}
		h.Write(n[:])
		h.Write(in)
	}
	var key [sha256.Size]byte
	h.Sum(key[:0])
	c.mu.Lock()
	v, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := f()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[[sha256.Size]byte]V{}
	}
	c.m[key] = v
	c.mu.Unlock()
	return v, nil
}
