package clusteraddons

import (
	"archive/tar"
	"fmt"
	"io"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// maxDaprd bounds the daprd binary put in the sidecar image (Kiln's is
// about 100 MiB; all of components-contrib would be over 200).
const maxDaprd = 400 << 20

// DaprdImage is the sidecar image the injector adds to pods: base (Kiln's
// run-static) with the daprd binary at /daprd, where the injector runs it
// (v1.14.0 injects command ["/daprd"], so a ko image, whose binary is at
// /ko-app/<name>, cannot be the sidecar). The binary is Kiln's own daprd
// (platform/tools/build.sh daprd: the components Kiln registers), the one
// `kiln run --dapr` runs. The layer is reproducible: the same binary on the
// same base gives the same digest.
func DaprdImage(base v1.Image, daprdPath string) (v1.Image, error) {
	f, err := os.Open(daprdPath)
	if err != nil {
		return nil, fmt.Errorf("clusteraddons: daprd for the sidecar image: %w (build it with `bash platform/tools/build.sh daprd`)", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() || st.Size() > maxDaprd {
		return nil, fmt.Errorf("clusteraddons: %s is not a regular file of at most %d bytes", daprdPath, maxDaprd)
	}
	size := st.Size()
	f.Close()
	// The layer is a tar stream of the file, made each time it is read
	// (ggcr reads it to digest and again to push): no 100 MiB buffer.
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		f, err := os.Open(daprdPath)
		if err != nil {
			return nil, err
		}
		pr, pw := io.Pipe()
		go func() {
			defer f.Close()
			tw := tar.NewWriter(pw)
			err := tw.WriteHeader(&tar.Header{Name: "daprd", Mode: 0o755, Size: size, Typeflag: tar.TypeReg, Format: tar.FormatPAX})
			if err == nil {
				var n int64
				n, err = io.Copy(tw, io.LimitReader(f, size))
				if err == nil && n != size {
					err = fmt.Errorf("clusteraddons: %s changed while read: %d of %d bytes", daprdPath, n, size)
				}
			}
			if err == nil {
				err = tw.Close()
			}
			pw.CloseWithError(err)
		}()
		return pr, nil
	})
	if err != nil {
		return nil, err
	}
	img, err := mutate.Append(base, mutate.Addendum{Layer: layer, History: v1.History{CreatedBy: "kiln: daprd " + "at /daprd"}})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Config.Entrypoint = []string{"/daprd"}
	cf.Config.Cmd = nil
	return mutate.ConfigFile(img, cf)
}
