package conformancefn

import (
	"sync"
	"time"
)

// BarrierWait bounds how long a ?barrier= call waits for the others.
const BarrierWait = 30 * time.Second

// barrierSet holds the calls waiting at each barrier ID.
type barrierSet struct {
	mu sync.Mutex
	m  map[string]*barrier
}

type barrier struct {
	arrived, left int
	full          chan struct{} // closed when arrived reaches the parties
}

var barriers = &barrierSet{m: map[string]*barrier{}}

// wait records a call at barrier id and returns, once parties calls have
// arrived or after max, how many arrived.
func (s *barrierSet) wait(id string, parties int, max time.Duration) int {
	s.mu.Lock()
	b := s.m[id]
	if b == nil {
		b = &barrier{full: make(chan struct{})}
		s.m[id] = b
	}
	b.arrived++
	if b.arrived == parties {
		close(b.full)
	}
	s.mu.Unlock()
	t := time.NewTimer(max)
	defer t.Stop()
	select {
	case <-b.full:
	case <-t.C:
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b.left++
	if b.left == b.arrived {
		delete(s.m, id)
	}
	return b.arrived
}
