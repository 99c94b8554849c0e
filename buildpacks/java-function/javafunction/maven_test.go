package javafunction_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"

	"kiln.dev/kiln/buildpacks/java-function/javafunction"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestResolveSettings(t *testing.T) {
	app := t.TempDir()
	os.WriteFile(filepath.Join(app, "settings.xml"), []byte("<settings/>"), 0o644)
	binding := libcnb.Binding{Name: "corp-maven", Type: "maven", Path: "/bindings/corp-maven", Secret: map[string]string{"settings.xml": "<settings/>"}}
	for _, tc := range []struct {
		name             string
		settings, mirror string
		bindings         libcnb.Bindings
		wantUser         string
		wantMirror       string
		wantSource       string
		wantErr          string
	}{
		{name: "nothing: Maven's defaults"},
		{name: "settings path relative to the app", settings: "settings.xml", wantUser: filepath.Join(app, "settings.xml"), wantSource: "BP_MAVEN_SETTINGS_PATH"},
		{name: "missing settings file", settings: "nope.xml", wantErr: "BP_MAVEN_SETTINGS_PATH=nope.xml: no such file"},
		{name: "binding", bindings: libcnb.Bindings{binding}, wantUser: "/bindings/corp-maven/settings.xml", wantSource: "binding corp-maven"},
		{name: "binding without settings.xml", bindings: libcnb.Bindings{{Name: "b", Type: "Maven", Secret: map[string]string{}}}, wantErr: `service binding "b" (type maven) has no settings.xml`},
		{name: "env beats binding", settings: "settings.xml", bindings: libcnb.Bindings{binding}, wantUser: filepath.Join(app, "settings.xml"), wantSource: "BP_MAVEN_SETTINGS_PATH"},
		{name: "mirror", mirror: "https://nexus.example.com/repository/maven-public/", wantMirror: "https://nexus.example.com/repository/maven-public/", wantSource: "BP_MAVEN_MIRROR_URL"},
		{name: "file mirror", mirror: "file:///srv/m2", wantMirror: "file:///srv/m2", wantSource: "BP_MAVEN_MIRROR_URL"},
		{name: "mirror combines with settings", settings: "settings.xml", mirror: "http://10.0.0.1:8081/", wantUser: filepath.Join(app, "settings.xml"), wantMirror: "http://10.0.0.1:8081/", wantSource: "BP_MAVEN_SETTINGS_PATH + BP_MAVEN_MIRROR_URL"},
		{name: "mirror without scheme", mirror: "nexus.example.com/maven", wantErr: "BP_MAVEN_MIRROR_URL=nexus.example.com/maven: want an http(s):// or file:// repository URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(javafunction.SettingsPathEnv, tc.settings)
			t.Setenv(javafunction.MirrorURLEnv, tc.mirror)
			got, err := javafunction.ResolveSettings(app, tc.bindings)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := javafunction.MavenSettings{UserSettings: tc.wantUser, MirrorURL: tc.wantMirror, Source: tc.wantSource}
			if got != want {
				t.Fatalf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestMirrorSettingsXMLGolden(t *testing.T) {
	got := javafunction.MirrorSettingsXML("https://nexus.example.com/repository/maven-public/?a=1&b=2")
	golden := filepath.Join("testdata", "mirror-settings.xml")
	if *update {
		os.WriteFile(golden, []byte(got), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil || got != string(want) {
		t.Fatalf("settings.xml differs from %s (go test -update rewrites it):\n%s", golden, got)
	}
}

func TestMavenArgs(t *testing.T) {
	t.Setenv(javafunction.ProfilesEnv, "prod,fast")
	t.Setenv(javafunction.ArgsEnv, "-Dfoo=bar  -T 2")
	got := strings.Join(javafunction.MavenArgs("mvn", "/repo", "/g.xml", "/u.xml", "3.5.0", "/lib"), " ")
	want := "mvn --batch-mode --no-transfer-progress --quiet -Dmaven.repo.local=/repo --global-settings /g.xml --settings /u.xml --activate-profiles prod,fast " +
		"-DskipTests package org.apache.maven.plugins:maven-dependency-plugin:3.5.0:copy-dependencies -DincludeScope=runtime -DexcludeGroupIds=dev.kiln -DoutputDirectory=/lib -Dfoo=bar -T 2"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestExplainMavenFailure(t *testing.T) {
	for _, tc := range []struct {
		name, out      string
		settings       javafunction.MavenSettings
		want, unwanted []string
	}{
		{name: "unreachable central",
			out:      "[ERROR] Plugin org.apache.maven.plugins:maven-resources-plugin:2.6 or one of its dependencies could not be resolved: Could not transfer artifact x from/to central (https://repo.maven.apache.org/maven2): Unknown host\n[ERROR] \n[ERROR] To see the full stack trace of the errors, re-run Maven with the -e switch.\n[ERROR] -> [Help 1]\n",
			want:     []string{"from Maven Central (no repository configured)", "maven-resources-plugin:2.6", "BP_MAVEN_MIRROR_URL=https://"},
			unwanted: []string{"full stack trace", "[Help 1]"}},
		{name: "from a binding", out: "[ERROR] Failed to execute goal on project x: Could not resolve dependencies for project", settings: javafunction.MavenSettings{Source: "binding corp"},
			want: []string{"from the repositories from binding corp"}},
		{name: "compile", out: "[ERROR] COMPILATION ERROR : \n[ERROR] /workspace/src/main/java/A.java:[1,50] cannot find symbol\n",
			want: []string{"compiling failed (mvn package)", "A.java:[1,50] cannot find symbol"}},
		{name: "other", out: "[ERROR] Failed to execute goal org.apache.maven.plugins:maven-surefire-plugin:2.12.4:test: There are test failures.",
			want: []string{"mvn package failed", "There are test failures"}},
		{name: "no error lines", out: "Exception in thread main", want: []string{"mvn package failed:\nException in thread main"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := javafunction.ExplainMavenFailure(tc.out, tc.settings).Error()
			for _, w := range tc.want {
				if !strings.Contains(err, w) {
					t.Errorf("missing %q in:\n%s", w, err)
				}
			}
			for _, u := range tc.unwanted {
				if strings.Contains(err, u) {
					t.Errorf("unexpected %q in:\n%s", u, err)
				}
			}
		})
	}
}
