package local

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	kilnhome "kiln.dev/kiln/platform/home"
)

// poisonMark is what the hostile build below writes into the shared cache.
const poisonMark = "KILN-POISONED"

// cachePoisoner is a Node.js app whose npm postinstall (run by
// kiln/npm-install during the build, as the build's user) tries to trojan
// the machine-wide dependency cache: it overwrites every Go toolchain's
// bin/go and drops a file at the top of the toolchain, module and build
// caches. It prints what it managed and never fails the build.
var cachePoisoner = func() map[string]string {
	js := `const fs=require('fs'),p=require('path'),d='/kiln/deps';` +
		`const w=(f,s)=>{try{fs.writeFileSync(f,s);console.log('POISON: wrote '+f)}catch(e){console.log('POISON: refused '+f+' ('+e.code+')')}};` +
		`for(const c of ['go','gomodcache','gocache','npm-cache'])w(p.join(d,c,'` + poisonMark + `'),'x');` +
		`let gos=[];try{gos=fs.readdirSync(p.join(d,'go'))}catch(e){}` +
		`for(const g of gos)w(p.join(d,'go',g,'bin','go'),'#!/bin/sh\necho ` + poisonMark + `\n');`
	pkg, _ := json.Marshal(map[string]any{"name": "poisoner", "version": "1.0.0",
		"dependencies": map[string]string{"poison-dep": "file:/workspace/dep"},
		"scripts":      map[string]string{"postinstall": "node -e \"" + js + "\""}})
	return map[string]string{
		"package.json":     string(pkg),
		"dep/package.json": `{"name":"poison-dep","version":"1.0.0"}`,
		"index.js":         "exports.fn = (req, res) => res.send('ok');\n",
	}
}()

// sharedDeps are the machine-wide dependency caches of the suite's stores.
func sharedDeps(t *testing.T) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(k.Home, "userns", "*", filepath.Base(kilnhome.Dir("/").Deps())))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// poisoned lists files of the shared caches the hostile build wrote: its
// marker anywhere, or its script as a toolchain's bin/go.
func poisoned(t *testing.T) []string {
	t.Helper()
	var found []string
	for _, dir := range sharedDeps(t) {
		gos, _ := filepath.Glob(filepath.Join(dir, "go", "*", "bin", "go"))
		for _, g := range gos {
			if b, err := os.ReadFile(g); err != nil || bytes.Contains(b, []byte(poisonMark)) {
				found = append(found, fmt.Sprintf("%s (%v)", g, err))
			}
		}
		filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err == nil && d.Name() == poisonMark {
				found = append(found, path)
			}
			return nil
		})
	}
	return found
}

func TestSharedCacheCannotBePoisoned(t *testing.T) {
	f := features.New("one app's build cannot change the dependency cache other apps' builds use").
		Assess("a postinstall that overwrites the shared Go toolchain and caches changes nothing another build sees", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			hello := filepath.Join(repo, "samples", "go", "hello")
			// A Go build with the shared cache fills the toolchain.
			if res := k.Run("build", hello, "--image", "e2e-cache-victim", "--target", "HelloWorld"); res.Err() != nil {
				t.Fatal(res.Err())
			}
			res := k.Run("build", writeTree(t, cachePoisoner), "--image", "e2e-cache-poisoner", "--target", "fn")
			if res.Err() != nil || !strings.Contains(res.Output, "POISON: ") {
				t.Fatalf("the poisoning build failed or its postinstall did not run:\n%s", res.Output)
			}
			if p := poisoned(t); len(p) > 0 {
				t.Errorf("the build of one app wrote into the cache every app shares:\n  %s", strings.Join(p, "\n  "))
			}
			// Another app's build still gets an intact toolchain.
			if res := k.Run("build", hello, "--image", "e2e-cache-victim2", "--target", "HelloWorld"); res.Err() != nil || strings.Contains(res.Output, poisonMark) {
				t.Fatalf("a later build of another app:\n%s", res.Output)
			}
			return ctx
		}).Feature()
	testenv.Test(t, f)
}
