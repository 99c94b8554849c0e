package brokers

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Stream is a Redis stream as its consumers see it: every entry, and per
// consumer group what it was handed and has not acknowledged.
type Stream struct {
	Entries []redis.XMessage // XRANGE - +, in stream order
	Groups  []Group
}

// Group is one consumer group of a stream.
type Group struct {
	Name string
	// EntriesRead counts the entries handed to the group's consumers
	// (XINFO GROUPS entries-read; Redis ≥ 7): each entry once, however often
	// it is claimed again.
	EntriesRead   int64
	LastDelivered string // the ID of the last entry handed out
	// Pending are the entries handed out and not acknowledged (XPENDING),
	// with how often each was delivered.
	Pending []redis.XPendingExt
}

// ReadStream reads stream on the redis-server at addr.
func ReadStream(ctx context.Context, addr, stream string) (*Stream, error) {
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	entries, err := c.XRange(ctx, stream, "-", "+").Result()
	if err != nil {
		return nil, fmt.Errorf("redis %s: XRANGE %s: %w", addr, stream, err)
	}
	groups, err := c.XInfoGroups(ctx, stream).Result()
	if err != nil {
		return nil, fmt.Errorf("redis %s: XINFO GROUPS %s: %w", addr, stream, err)
	}
	s := &Stream{Entries: entries}
	for _, g := range groups {
		pending, err := c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: stream, Group: g.Name, Start: "-", End: "+", Count: 1000}).Result()
		if err != nil {
			return nil, fmt.Errorf("redis %s: XPENDING %s %s: %w", addr, stream, g.Name, err)
		}
		s.Groups = append(s.Groups, Group{Name: g.Name, EntriesRead: g.EntriesRead, LastDelivered: g.LastDeliveredID, Pending: pending})
	}
	return s, nil
}
