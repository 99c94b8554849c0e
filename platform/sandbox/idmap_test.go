package sandbox

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func writeSubIDs(t *testing.T, uid, gid string) subIDFiles {
	t.Helper()
	dir := t.TempDir()
	f := subIDFiles{filepath.Join(dir, "subuid"), filepath.Join(dir, "subgid")}
	for p, body := range map[string]string{f.uid: uid, f.gid: gid} {
		if body == "-" {
			continue // no file
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func TestIDMapFor(t *testing.T) {
	for _, c := range []struct {
		name       string
		user       string
		uid, gid   int
		subuid     string
		subgid     string
		want       IDMap
		wantErrHas []string
	}{
		{
			name: "normal user: itself as root, subordinate ids for the rest", user: "ada", uid: 1001, gid: 1001,
			subuid: "bob:100000:65536\nada:165536:65536\n", subgid: "ada:165536:65536\n",
			want: IDMap{UIDs: []IDRange{{0, 1001, 1}, {1, 165536, 65536}}, GIDs: []IDRange{{0, 1001, 1}, {1, 165536, 65536}}, Rootless: true},
		},
		{
			name: "lines may name the uid; a too small range is skipped for a big one", user: "ada", uid: 1001, gid: 50,
			subuid: "1001:200000:10\n1001:300000:70000\n", subgid: "# comment\n\nada:400000:65536\n",
			want: IDMap{UIDs: []IDRange{{0, 1001, 1}, {1, 300000, 70000}}, GIDs: []IDRange{{0, 50, 1}, {1, 400000, 65536}}, Rootless: true},
		},
		{
			name: "normal user without lines: the message names the line and the usermod", user: "ada", uid: 1001, gid: 1001,
			subuid: "bob:100000:65536\n", subgid: "bob:100000:65536\n",
			wantErrHas: []string{"ada has no 65536 subordinate ids", "ada:165536:65536 to /etc/subuid and to /etc/subgid",
				"sudo usermod --add-subuids 165536-231071 --add-subgids 165536-231071 ada"},
		},
		{
			name: "normal user with too few", user: "ada", uid: 1001, gid: 1001,
			subuid: "ada:100000:1000\n", subgid: "ada:100000:65536\n",
			wantErrHas: []string{"ada has no 65536 subordinate ids", "ada:165536:65536"}, // free in both files
		},
		{
			name: "no files at all", user: "ada", uid: 1001, gid: 1001, subuid: "-", subgid: "-",
			wantErrHas: []string{"ada:100000:65536", "usermod --add-subuids 100000-165535"},
		},
		{
			name: "root without a line: the dedicated range, never host 0", user: "root", uid: 0, gid: 0,
			subuid: "ada:100000:65536\n", subgid: "-",
			want: IDMap{UIDs: []IDRange{{0, RootDefaultStart, MinSubIDs}}, GIDs: []IDRange{{0, RootDefaultStart, MinSubIDs}}},
		},
		{
			name: "root with its own lines", user: "root", uid: 0, gid: 0,
			subuid: "root:500000:65536\n", subgid: "root:600000:65536\n",
			want: IDMap{UIDs: []IDRange{{0, 500000, 65536}}, GIDs: []IDRange{{0, 600000, 65536}}},
		},
		{
			name: "root's default range claimed by someone", user: "root", uid: 0, gid: 0,
			subuid: "ada:1000000100:65536\n", subgid: "-",
			wantErrHas: []string{"gives part of them to ada", "root:START:65536"},
		},
		{
			name: "malformed line", user: "ada", uid: 1001, gid: 1001,
			subuid: "ada:lots:65536\n", subgid: "ada:100000:65536\n",
			wantErrHas: []string{"ada has no 65536 subordinate ids"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := idMapFor(c.user, c.uid, c.gid, writeSubIDs(t, c.subuid, c.subgid))
			if len(c.wantErrHas) > 0 {
				if err == nil {
					t.Fatalf("want an error, got %+v", got)
				}
				for _, w := range c.wantErrHas {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error lacks %q:\n%v", w, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %+v\nwant %+v", got, c.want)
			}
			if got.HostUID(0) == 0 && c.uid == 0 {
				t.Fatal("container root mapped to host root")
			}
		})
	}
}

func TestHostIDsAndKey(t *testing.T) {
	m := IDMap{UIDs: []IDRange{{0, 1001, 1}, {1, 100000, 65536}}, GIDs: []IDRange{{0, 1001, 1}, {1, 200000, 65536}}}
	for _, c := range []struct{ id, uid, gid int }{{0, 1001, 1001}, {1, 100000, 200000}, {1000, 100999, 200999}, {65536, 165535, 265535}, {65537, -1, -1}} {
		if got := m.HostUID(c.id); got != c.uid {
			t.Errorf("HostUID(%d) = %d, want %d", c.id, got, c.uid)
		}
		if got := m.HostGID(c.id); got != c.gid {
			t.Errorf("HostGID(%d) = %d, want %d", c.id, got, c.gid)
		}
	}
	other := m
	other.UIDs = []IDRange{{0, 1001, 1}, {1, 100001, 65536}}
	if m.Key() == other.Key() || len(m.Key()) != 12 {
		t.Fatalf("keys %q %q: different mappings need different stores", m.Key(), other.Key())
	}
	if got := mapArgs(m.UIDs); strings.Join(got, " ") != "0 1001 1 1 100000 65536" {
		t.Fatalf("newuidmap args %q", got)
	}
}
