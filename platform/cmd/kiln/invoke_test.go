package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// kiln invoke against a real server: the body on stdout, a status of 400 or
// more exits 1, CloudEvents in both modes.
func TestInvoke(t *testing.T) {
	var last *http.Request
	var lastBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		last, lastBody = r, string(b)
		if r.URL.Path == "/fail" {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		w.Write([]byte("hello " + r.Method))
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	file := filepath.Join(t.TempDir(), "body.json")
	os.WriteFile(file, []byte(`{"from":"file"}`), 0o644)
	for _, tc := range []struct {
		args         []string
		code         int
		stdout, body string
		header       [2]string
		stderr       string
	}{
		{args: []string{srv.URL}, stdout: "hello GET"},
		{args: []string{"-p", port, "--path", "/x", "-d", "hi"}, stdout: "hello POST", body: "hi"},
		{args: []string{srv.URL, "-d", "@" + file, "-X", "PUT", "-H", "X-A: b"}, stdout: "hello PUT", body: `{"from":"file"}`, header: [2]string{"X-A", "b"}},
		{args: []string{srv.URL, "--ce-type", "t", "--ce-source", "/s", "-d", "{}"}, stdout: "hello POST", header: [2]string{"Ce-Type", "t"}},
		{args: []string{srv.URL, "--ce-type", "t", "--ce-source", "/s", "--structured"}, stdout: "hello POST", header: [2]string{"Content-Type", "application/cloudevents+json"}},
		{args: []string{srv.URL + "/fail"}, code: 1, stdout: "boom\n", stderr: "500 Internal Server Error"},
		{args: []string{}, code: 2, stderr: "name the function once"},
		{args: []string{srv.URL, "-p", port}, code: 2, stderr: "name the function once"},
		{args: []string{srv.URL, "--ce-type", "t"}, code: 2, stderr: "needs --ce-type and --ce-source"},
		{args: []string{srv.URL, "-H", "bad"}, code: 2, stderr: `header "bad"`},
		{args: []string{srv.URL, "-d", "@/nonexistent"}, code: 1, stderr: "-d @/nonexistent"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			last, lastBody = nil, ""
			r := runCLI(t, append([]string{"invoke"}, tc.args...)...)
			if r.code != tc.code || r.stdout != tc.stdout || !strings.Contains(r.stderr, tc.stderr) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want %d, %q, %q", r.code, r.stdout, r.stderr, tc.code, tc.stdout, tc.stderr)
			}
			if tc.body != "" && lastBody != tc.body {
				t.Errorf("the function got %q, want %q", lastBody, tc.body)
			}
			if tc.header[0] != "" && (last == nil || last.Header.Get(tc.header[0]) != tc.header[1]) {
				t.Errorf("header %s not %q", tc.header[0], tc.header[1])
			}
		})
	}
}
