package sandbox

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"strings"
)

// MinSubIDs is how many subordinate ids kiln needs: the ids images use (the
// CNB user 1000, nobody 65534) must all exist inside the sandbox.
const MinSubIDs = 65536

// RootDefaultStart is the first host id of the range the sandbox's ids map to
// when kiln runs as root and /etc/subuid (or /etc/subgid) has no line for
// root: container ids 0-65535 are host ids 1000000000-1000065535. It is far
// above what useradd hands out (SUB_UID_MAX 600100000), so no login user or
// other user's containers share it. Change it with a `root:START:COUNT` line.
const RootDefaultStart = 1_000_000_000

// IDRange maps Size ids from ContainerID on to HostID on.
type IDRange struct {
	ContainerID int `json:"containerID"`
	HostID      int `json:"hostID"`
	Size        int `json:"size"`
}

// IDMap says which host ids the sandbox's user and group ids are. Container
// root is never host root: as a normal user it is that user (the rest comes
// from /etc/subuid, like rootless podman), as root a dedicated range.
type IDMap struct {
	UIDs []IDRange `json:"uids"`
	GIDs []IDRange `json:"gids"`
	// Rootless is true when kiln runs as a normal user: the setuid helpers
	// newuidmap and newgidmap write the mapping.
	Rootless bool `json:"rootless"`
}

// subIDFiles are read by CurrentIDMap; tests point them elsewhere.
type subIDFiles struct{ uid, gid string }

var systemSubIDs = subIDFiles{"/etc/subuid", "/etc/subgid"}

// CurrentIDMap is the mapping for the user running kiln, or an error that
// says exactly which line to add where.
func CurrentIDMap() (IDMap, error) {
	u, err := user.Current()
	if err != nil {
		return IDMap{}, fmt.Errorf("sandbox: looking up the current user: %w", err)
	}
	m, err := idMapFor(u.Username, os.Geteuid(), os.Getegid(), systemSubIDs)
	if err != nil {
		return IDMap{}, err
	}
	if m.Rootless {
		for _, tool := range []string{"newuidmap", "newgidmap"} {
			if _, err := exec.LookPath(tool); err != nil {
				return IDMap{}, fmt.Errorf("sandbox: %s not found: kiln maps your subordinate ids with it, as rootless podman does; install it (apt-get install uidmap)", tool)
			}
		}
	}
	return m, nil
}

func idMapFor(name string, uid, gid int, files subIDFiles) (IDMap, error) {
	subU, errU := lookupSubIDs(files.uid, name, uid)
	subG, errG := lookupSubIDs(files.gid, name, uid)
	if uid == 0 {
		// As root: one range, ids 0..n-1, never host 0.
		if errU != nil || subU.Size == 0 {
			subU = IDRange{HostID: RootDefaultStart, Size: MinSubIDs}
			if err := checkUnclaimed(files.uid, subU); err != nil {
				return IDMap{}, err
			}
		}
		if errG != nil || subG.Size == 0 {
			subG = IDRange{HostID: RootDefaultStart, Size: MinSubIDs}
			if err := checkUnclaimed(files.gid, subG); err != nil {
				return IDMap{}, err
			}
		}
		if subU.HostID == 0 || subG.HostID == 0 {
			return IDMap{}, fmt.Errorf("sandbox: the subordinate id range for root starts at 0, which would make container root host root: fix the root line in %s / %s", files.uid, files.gid)
		}
		return IDMap{UIDs: []IDRange{{0, subU.HostID, subU.Size}}, GIDs: []IDRange{{0, subG.HostID, subG.Size}}}, nil
	}
	for _, e := range []struct {
		file string
		r    IDRange
		err  error
	}{{files.uid, subU, errU}, {files.gid, subG, errG}} {
		if e.err != nil || e.r.Size < MinSubIDs {
			return IDMap{}, missingSubIDs(name, e.file, files)
		}
	}
	return IDMap{
		UIDs:     []IDRange{{0, uid, 1}, {1, subU.HostID, subU.Size}},
		GIDs:     []IDRange{{0, gid, 1}, {1, subG.HostID, subG.Size}},
		Rootless: true,
	}, nil
}

// lookupSubIDs returns the first range of at least MinSubIDs ids that file
// gives to name (or to the numeric uid), else the largest it found.
func lookupSubIDs(file, name string, uid int) (IDRange, error) {
	f, err := os.Open(file)
	if err != nil {
		return IDRange{}, err
	}
	defer f.Close()
	var best IDRange
	err = eachSubIDLine(f, func(owner string, r IDRange) {
		if owner != name && owner != strconv.Itoa(uid) {
			return
		}
		if best.Size < MinSubIDs && r.Size > best.Size {
			best = r
		}
	})
	if err != nil {
		return IDRange{}, fmt.Errorf("%s: %w", file, err)
	}
	if best.Size == 0 {
		return IDRange{}, fmt.Errorf("%s: no line for %s", file, name)
	}
	return best, nil
}

func eachSubIDLine(r io.Reader, fn func(owner string, r IDRange)) error {
	s := bufio.NewScanner(r)
	for n := 1; s.Scan(); n++ {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, ":")
		if len(parts) != 3 {
			return fmt.Errorf("line %d %q: want NAME:START:COUNT", n, line)
		}
		start, err1 := strconv.Atoi(parts[1])
		count, err2 := strconv.Atoi(parts[2])
		if err1 != nil || err2 != nil || start < 0 || count < 0 {
			return fmt.Errorf("line %d %q: START and COUNT must be numbers", n, line)
		}
		fn(parts[0], IDRange{HostID: start, Size: count})
	}
	return s.Err()
}

// checkUnclaimed refuses the root default range when a user's subordinate
// ids overlap it: their containers would share host ids with root's.
func checkUnclaimed(file string, want IDRange) error {
	f, err := os.Open(file)
	if err != nil {
		return nil // no file, nobody claims anything
	}
	defer f.Close()
	var clash string
	eachSubIDLine(f, func(owner string, r IDRange) {
		if r.HostID < want.HostID+want.Size && want.HostID < r.HostID+r.Size && clash == "" {
			clash = owner
		}
	})
	if clash != "" {
		return fmt.Errorf("sandbox: kiln as root maps container ids to host ids %d-%d, but %s gives part of them to %s: add a line root:START:65536 with a free START to /etc/subuid and /etc/subgid",
			want.HostID, want.HostID+want.Size-1, file, clash)
	}
	return nil
}

// missingSubIDs says which line to add: the first free range after every
// range the files hand out, at least 100000 (useradd's SUB_UID_MIN).
func missingSubIDs(name, file string, files subIDFiles) error {
	start := 100000
	for _, path := range []string{files.uid, files.gid} {
		if f, err := os.Open(path); err == nil {
			eachSubIDLine(f, func(_ string, r IDRange) {
				if end := r.HostID + r.Size; end > start {
					start = end
				}
			})
			f.Close()
		}
	}
	end := start + MinSubIDs - 1
	return fmt.Errorf("sandbox: %s has no %d subordinate ids in %s: kiln runs builds and functions in a user namespace (like rootless podman) and maps the image's users to them.\n"+
		"  Add the line %s:%d:%d to /etc/subuid and to /etc/subgid, or run: sudo usermod --add-subuids %d-%d --add-subgids %d-%d %s",
		name, MinSubIDs, file, name, start, MinSubIDs, start, end, start, end, name)
}

// HostUID is the host uid of container uid id, or -1 if it is not mapped.
func (m IDMap) HostUID(id int) int { return hostID(m.UIDs, id) }

// HostGID is the host gid of container gid id, or -1 if it is not mapped.
func (m IDMap) HostGID(id int) int { return hostID(m.GIDs, id) }

func hostID(rs []IDRange, id int) int {
	for _, r := range rs {
		if id >= r.ContainerID && id < r.ContainerID+r.Size {
			return r.HostID + id - r.ContainerID
		}
	}
	return -1
}

// Key names the on-disk stores whose files are owned by these ids (a
// flattened image extracted under one mapping is unreadable under another).
func (m IDMap) Key() string {
	h := sha256.New()
	fmt.Fprintf(h, "u%v g%v", m.UIDs, m.GIDs)
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// mapArgs renders rs as newuidmap/newgidmap arguments (after the pid).
func mapArgs(rs []IDRange) []string {
	var a []string
	for _, r := range rs {
		a = append(a, strconv.Itoa(r.ContainerID), strconv.Itoa(r.HostID), strconv.Itoa(r.Size))
	}
	return a
}
