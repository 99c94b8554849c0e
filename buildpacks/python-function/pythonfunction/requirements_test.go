package pythonfunction

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sha = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"

func TestParseRequirements(t *testing.T) {
	lines, err := ParseRequirements("requirements.txt", strings.Join([]string{
		"# comment",
		"flask==3.0.3  # trailing comment",
		"requests[socks]>=2.31 ; python_version >= '3.8'",
		"-r base.txt",
		"--requirement=more.txt",
		"-i https://pypi.example/simple/",
		"--extra-index-url http://127.0.0.1:8080/simple/",
		"--no-index",
		"-f ./wheels",
		"-c constraints.txt",
		"./localpkg",
		"pkg @ https://example.com/pkg-1.0.tar.gz",
		"long-name \\",
		"  >= 1.0",
		"--pre",
		"https://example.com/x-1.0-py3-none-any.whl",
		"Django (>=4.2)",
	}, "\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range lines {
		if l.Option != "" {
			got = append(got, l.Option+"="+l.Value)
		} else {
			got = append(got, l.Require)
		}
	}
	want := "flask==3.0.3|requests[socks]>=2.31 ; python_version >= '3.8'|--requirement=base.txt|--requirement=more.txt|--index-url=https://pypi.example/simple/|--extra-index-url=http://127.0.0.1:8080/simple/|--no-index=|--find-links=./wheels|--constraint=constraints.txt|./localpkg|pkg @ https://example.com/pkg-1.0.tar.gz|long-name >= 1.0|--pre=|https://example.com/x-1.0-py3-none-any.whl|Django (>=4.2)"
	if strings.Join(got, "|") != want {
		t.Fatalf("got  %s\nwant %s", strings.Join(got, "|"), want)
	}
	if lines[11].N != 13 || lines[12].N != 15 || lines[13].N != 16 {
		t.Fatalf("line numbers: %d %d %d", lines[11].N, lines[12].N, lines[13].N)
	}
	hashed, err := ParseRequirements("requirements.txt", "--require-hashes\nflask==3.0.3 --hash="+sha+" \\\n    --hash "+sha+"\n")
	if err != nil || len(hashed[1].Hashes) != 2 {
		t.Fatalf("hashes: %+v %v", hashed, err)
	}
}

// Every malformed requirements file is reported with its file, line and fix.
func TestParseRequirementsErrors(t *testing.T) {
	for _, tt := range []struct{ name, content, want string }{
		{"single =", "flask=3.0.3\n", `requirements.txt line 1: "flask=3.0.3" is not a valid requirement: pin with ==, e.g. flask==3.0.3`},
		{"no name", "\n==1.0\n", `requirements.txt line 2: "==1.0" is not a requirement: start with a package name, e.g. flask==3.0.3, or give a path (./pkg) or URL`},
		{"junk after name", "flask 3.0\n", `requirements.txt line 1: "flask 3.0" is not a valid requirement: after the name comes a version (==, >=, ~=…), a ; marker or @ URL, e.g. flask>=3.0`},
		{"editable", "-e ./mypkg\n", `requirements.txt line 1: -e ./mypkg: editable installs do not work in an image (packages are found through PYTHONPATH, which ignores the .pth file an editable install relies on): drop the -e and write ./mypkg`},
		{"editable long", "--editable=git+https://x.example/r.git#egg=r\n", `requirements.txt line 1: -e git+https://x.example/r.git#egg=r: editable installs do not work in an image`},
		{"index-url not a URL", "-i pypi.example/simple\n", `requirements.txt line 1: --index-url pypi.example/simple is not an http(s) or file URL: write e.g. --index-url https://pypi.org/simple/`},
		{"index-url without value", "--index-url\n", `requirements.txt line 1: --index-url needs a value, e.g. --index-url https://pypi.org/simple/`},
		{"extra-index-url ftp", "--extra-index-url=ftp://x/simple\n", `requirements.txt line 1: --extra-index-url ftp://x/simple is not an http(s) or file URL: write e.g. --extra-index-url https://pypi.org/simple/`},
		{"-r without file", "-r\n", `requirements.txt line 1: --requirement needs a value, e.g. --requirement other.txt`},
		{"flag with value", "--no-index yes\n", `requirements.txt line 1: --no-index takes no value (found "yes")`},
		{"unknown option", "--upgrade\n", `requirements.txt line 1: --upgrade is not an option pip reads in a requirements file (see https://pip.pypa.io/en/stable/reference/requirements-file-format/)`},
		{"unknown short option", "-U flask\n", `requirements.txt line 1: -U is not an option pip reads in a requirements file`},
		{"hash on its own line", "flask==3.0.3\n--hash=" + sha + "\n", `requirements.txt line 2: --hash=` + sha + ` belongs after a requirement on the same line, e.g. flask==3.0.3 --hash=sha256:…`},
		{"bad hash algorithm", "flask==3.0.3 --hash=md5:abc\n", `requirements.txt line 1: --hash=md5:abc is not sha256:, sha384: or sha512: with a lowercase hex digest (` + "`pip hash FILE`" + ` prints one)`},
		{"short hash", "flask==3.0.3 --hash=sha256:abc\n", `requirements.txt line 1: --hash=sha256:abc is not sha256:`},
		{"unknown per-requirement option", "flask==3.0.3 --install-option=x\n", `requirements.txt line 1: --install-option is not an option pip accepts after a requirement (only --hash, --config-settings, --global-option; see https://pip.pypa.io/en/stable/reference/requirements-file-format/)`},
		{"hash mode, one without hash", "flask==3.0.3 --hash=" + sha + "\nrequests==2.31.0\n", "requirements.txt line 2: requests==2.31.0 has no --hash, but hash-checking mode is on (line 1 has --hash): add its hashes (`pip hash FILE`, or pip-compile --generate-hashes)"},
		{"require-hashes, unpinned", "--require-hashes\nflask>=3 --hash=" + sha + "\n", "requirements.txt line 2: flask>=3 is not pinned, but hash-checking mode is on (--require-hashes on line 1): pin it with ==, e.g. flask==1.0.0"},
		{"continuation into a bad line", "flask==3.0.3 \\\n  --bogus\n", `requirements.txt line 1: --bogus is not an option pip accepts after a requirement`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRequirements("requirements.txt", tt.content)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant  %s", err, tt.want)
			}
		})
	}
}

func TestReadRequirementsFollowsIncludes(t *testing.T) {
	app := t.TempDir()
	os.MkdirAll(filepath.Join(app, "reqs"), 0o755)
	os.WriteFile(filepath.Join(app, "requirements.txt"), []byte("-r reqs/base.txt\n-c constraints.txt\nflask==3.0.3\n"), 0o644)
	os.WriteFile(filepath.Join(app, "reqs", "base.txt"), []byte("-r common.txt\n-r ../requirements.txt\n"), 0o644)
	os.WriteFile(filepath.Join(app, "reqs", "common.txt"), []byte("requests==2.31.0\n"), 0o644)
	os.WriteFile(filepath.Join(app, "constraints.txt"), []byte("urllib3<3\n"), 0o644)
	r, err := ReadRequirements(app)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Files, " "); got != "requirements.txt reqs/base.txt reqs/common.txt constraints.txt" {
		t.Fatalf("files = %s", got)
	}
	for _, tt := range []struct{ name, content, want string }{
		{"missing include", "-r other.txt\n", "requirements.txt line 1: --requirement other.txt: no such file in the function's directory (paths are relative to requirements.txt)"},
		{"include outside the app", "\n-c ../../etc/constraints.txt\n", "requirements.txt line 2: --constraint ../../etc/constraints.txt is outside the function's directory: copy the file into it and name it relative to requirements.txt"},
		{"absolute include", "-r /etc/passwd\n", "requirements.txt line 1: --requirement /etc/passwd is outside the function's directory"},
		{"remote include", "-r https://example.com/reqs.txt\n", "requirements.txt line 1: --requirement https://example.com/reqs.txt: a remote requirements file is not part of the source and would make the build depend on it; copy it into the function's directory"},
		{"error inside an include", "-r bad.txt\n", "bad.txt line 1: \"flask=1\" is not a valid requirement: pin with ==, e.g. flask==1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			app := t.TempDir()
			os.WriteFile(filepath.Join(app, "requirements.txt"), []byte(tt.content), 0o644)
			os.WriteFile(filepath.Join(app, "bad.txt"), []byte("flask=1\n"), 0o644)
			if _, err := ReadRequirements(app); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant  %s", err, tt.want)
			}
		})
	}
}

func TestCheckPipConf(t *testing.T) {
	if err := CheckPipConf("# pip.conf\n[global]\nindex-url = https://pypi.example/simple/\nextra-index-url =\n    http://127.0.0.1:9/simple/\n    https://b.example/simple/\ntimeout: 60\n\n[install]\nno-compile = true\n; done\n"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, content, want string }{
		{"before any section", "index-url = https://pypi.example/simple/\n", `pip.conf line 1: "index-url = https://pypi.example/simple/" comes before any section: put it under [global]`},
		{"bad header", "[global\n", `pip.conf line 1: "[global" is not a section header: write e.g. [global]`},
		{"empty header", "[]\n", `pip.conf line 1: "[]" is not a section header: write e.g. [global]`},
		{"not a setting", "[global]\nindex-url https://x/simple\n", `pip.conf line 2: "index-url https://x/simple" is not a setting: write key = value, e.g. index-url = https://pypi.org/simple/`},
		{"stray indentation", "\n  index-url = x\n", `pip.conf line 2: "index-url = x" is indented but continues no setting: remove the indentation`},
		{"index-url not a URL", "[global]\nINDEX-URL = pypi.example/simple\n", `pip.conf line 2: index-url "pypi.example/simple" is not an http(s) or file URL: write e.g. index-url = https://pypi.org/simple/`},
		{"continued extra-index-url not a URL", "[global]\nextra-index-url = https://a.example/simple\n  b.example\n", `pip.conf line 3: extra-index-url "b.example" is not an http(s) or file URL: write e.g. extra-index-url = https://pypi.org/simple/`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckPipConf(tt.content); err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v\nwant  %s", err, tt.want)
			}
		})
	}
}
