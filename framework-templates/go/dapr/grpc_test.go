//go:build go1.24

package dapr

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
)

// header is a gRPC frame header claiming n bytes.
func header(n uint32) []byte { return binary.BigEndian.AppendUint32([]byte{0}, n) }

func TestUnframe(t *testing.T) {
	const max = 16
	for _, tt := range []struct {
		name string
		in   []byte
		want string // message, or the error
	}{
		{"empty body", nil, ""},
		{"empty message", header(0), ""},
		{"at the limit", append(header(16), strings.Repeat("m", 16)...), strings.Repeat("m", 16)},
		{"over the limit", append(header(17), strings.Repeat("m", 17)...), "gRPC status 8: gRPC message of 17 bytes is over the 16-byte limit"},
		{"claims 4 GiB", header(1<<32 - 1), "gRPC status 8: gRPC message of 4294967295 bytes is over the 16-byte limit"},
		{"truncated message", append(header(10), "abc"...), "reading gRPC message: unexpected EOF (3 of 10 bytes)"},
		{"truncated header", []byte{0, 0}, "reading gRPC frame header: unexpected EOF"},
		{"compressed", append([]byte{1}, header(1)[1:]...), "gRPC status 12: compressed gRPC messages are not supported"},
	} {
		msg, err := unframe(bytes.NewReader(tt.in), max)
		got := string(msg)
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	var st *Status
	if _, err := unframe(bytes.NewReader(header(17)), max); !errors.As(err, &st) || st.Code != codeResourceExhausted {
		t.Fatalf("over the limit: %v, want RESOURCE_EXHAUSTED", err)
	}
}

// claimingStreams opens n gRPC streams to the app on one HTTP/2 connection,
// each sending a frame header that claims size bytes and then only body, and
// returns each stream's grpc-status and message. It returns the bytes the
// process allocated meanwhile.
func claimingStreams(t *testing.T, addr string, n int, size uint32, body string) ([]string, uint64) {
	t.Helper()
	tr := &http.Transport{Protocols: h2c()}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	type answer struct {
		status string
		err    error
	}
	answers := make(chan answer, n)
	for i := 0; i < n; i++ {
		pr, pw := io.Pipe()
		go func() {
			pw.Write(header(size))
			pw.Write([]byte(body))
			if body != "" {
				pw.Close() // the rest of the claimed message never comes
			}
		}()
		go func() {
			defer pw.Close()
			req, _ := http.NewRequest(http.MethodPost, "http://"+addr+appCallback+"OnBindingEvent", pr)
			req.Header.Set("Content-Type", "application/grpc")
			resp, err := c.Do(req)
			if err != nil {
				answers <- answer{err: err}
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			status := resp.Trailer.Get("Grpc-Status") + " " + percentDecode(resp.Trailer.Get("Grpc-Message"))
			if resp.Trailer.Get("Grpc-Status") == "" {
				status = resp.Header.Get("Grpc-Status") + " " + percentDecode(resp.Header.Get("Grpc-Message"))
			}
			answers <- answer{status: status}
		}()
	}
	var statuses []string
	for i := 0; i < n; i++ {
		select {
		case a := <-answers:
			if a.err != nil {
				t.Fatalf("stream %d: %v", i, a.err)
			}
			statuses = append(statuses, a.status)
		case <-time.After(10 * time.Second):
			t.Fatalf("stream %d got no answer within 10s", i)
		}
	}
	runtime.ReadMemStats(&after)
	return statuses, after.TotalAlloc - before.TotalAlloc
}

// TestClaimedSizeCostsNothing: gRPC frame headers are claims. Eight streams
// claiming 64 MiB each are refused with RESOURCE_EXHAUSTED before anything
// is read; eight claiming the 4 MiB limit and sending 10 bytes fail when the
// stream ends. Neither allocates the claimed size: TotalAlloc counts every
// byte allocated meanwhile, freed or not (a preallocating reader would show
// 512 MiB and 32 MiB).
func TestClaimedSizeCostsNothing(t *testing.T) {
	app := &App{Bindings: []string{"in"}, OnBinding: func(context.Context, *BindingEvent, http.Header) ([]byte, error) {
		t.Error("a truncated or oversized event reached the function")
		return nil, nil
	}}
	addr := listen(t, app.ServeGRPC)
	statuses, allocated := claimingStreams(t, addr, 8, 64<<20, "")
	if allocated > 16<<20 { // about 0.5 MiB is HTTP/2 itself; 3 MiB under -race
		t.Fatalf("eight 64 MiB claims allocated %d bytes", allocated)
	}
	for _, s := range statuses {
		if s != "8 gRPC message of 67108864 bytes is over the 4194304-byte limit" {
			t.Fatalf("64 MiB claim answered %q", s)
		}
	}
	statuses, allocated = claimingStreams(t, addr, 8, MaxMessageBytes, "0123456789")
	if allocated > 16<<20 {
		t.Fatalf("eight 4 MiB claims with 10 bytes each allocated %d bytes", allocated)
	}
	for _, s := range statuses {
		if s != "2 reading gRPC message: unexpected EOF (10 of 4194304 bytes)" {
			t.Fatalf("truncated 4 MiB claim answered %q", s)
		}
	}
}
