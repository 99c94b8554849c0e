package pythonfunction

import (
	"fmt"
	"net/url"
	"strings"
)

// CheckPipConf checks pip.conf the way Python's configparser reads it (what
// pip uses): every setting under a [section], `key = value` or `key: value`,
// indented lines continuing the previous value; index URLs must be URLs.
func CheckPipConf(content string) error {
	section, key := "", ""
	for i, raw := range strings.Split(strings.ReplaceAll(content, "\r\n", "\n"), "\n") {
		n, line := i+1, strings.TrimRight(raw, " \t")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';' {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if key == "" {
				return fmt.Errorf("pip.conf line %d: %q is indented but continues no setting: remove the indentation", n, trimmed)
			}
			if err := checkPipValue(n, key, trimmed); err != nil {
				return err
			}
			continue
		}
		if strings.HasPrefix(trimmed, "[") {
			if !strings.HasSuffix(trimmed, "]") || len(trimmed) < 3 {
				return fmt.Errorf("pip.conf line %d: %q is not a section header: write e.g. [global]", n, trimmed)
			}
			section, key = trimmed[1:len(trimmed)-1], ""
			continue
		}
		if section == "" {
			return fmt.Errorf("pip.conf line %d: %q comes before any section: put it under [global]", n, trimmed)
		}
		i := strings.IndexAny(trimmed, "=:")
		if i <= 0 || strings.ContainsAny(strings.TrimSpace(trimmed[:i]), " \t") {
			return fmt.Errorf("pip.conf line %d: %q is not a setting: write key = value, e.g. index-url = https://pypi.org/simple/", n, trimmed)
		}
		key = strings.ToLower(strings.TrimSpace(trimmed[:i]))
		if err := checkPipValue(n, key, strings.TrimSpace(trimmed[i+1:])); err != nil {
			return err
		}
	}
	return nil
}

func checkPipValue(n int, key, value string) error {
	if key != "index-url" && key != "extra-index-url" {
		return nil
	}
	for _, v := range strings.Fields(value) {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "file") || (u.Scheme != "file" && u.Host == "") {
			return fmt.Errorf("pip.conf line %d: %s %q is not an http(s) or file URL: write e.g. %s = https://pypi.org/simple/", n, key, v, key)
		}
	}
	return nil
}
