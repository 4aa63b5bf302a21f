package engine

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"debug/elf"
)

// Contract is what an upstream image promises the containers made from
// it: the user, the working directory, the entrypoint and command, the
// environment, the volumes, the folders and their owners, the exposed
// ports. The compose files rely on each of these.
type Contract struct {
	// Binary names what runs in it: a server e2e builds, or "standin".
	Binary string `json:"binary"`
	// Path is where the binary is in the image.
	Path string `json:"path"`
	// Standin, when set, is the tag of the stand-in built in its place
	// (never the upstream name: nobody may mistake it for the real image).
	Standin    string            `json:"standin,omitempty"`
	User       string            `json:"user"`
	UID        int               `json:"uid"`
	GID        int               `json:"gid"`
	Workdir    string            `json:"workdir"`
	Entrypoint []string          `json:"entrypoint"`
	Cmd        []string          `json:"cmd"`
	Env        map[string]string `json:"env"`
	Volumes    []string          `json:"volumes"`
	Folders    map[string]string `json:"folders"` // path → uid:gid
	Exposed    []string          `json:"exposed"`
}

//go:embed contracts.json
var contractsJSON []byte

// Contracts are the pinned contracts, by upstream image reference.
func Contracts() (map[string]Contract, error) {
	var c struct {
		Images map[string]Contract `json:"images"`
	}
	if err := json.Unmarshal(contractsJSON, &c); err != nil {
		return nil, fmt.Errorf("contracts.json: %w", err)
	}
	return c.Images, nil
}

// Labels on every image the phase builds.
const (
	labelKey    = "org.lms-ops.engine.key"    // hash of what it is built from
	labelSource = "org.lms-ops.engine.source" // the module and version of its binary
)

// image is one image the phase needs, with where its binary comes from.
type image struct {
	ref      string // the tag the compose files (or the override) use
	contract Contract
	bin      string // the binary to copy in
	source   string // module@version, recorded in a label
	extra    map[string]string
}

// dockerfile is the image's build recipe, from the contract only. FROM
// scratch: no base image is pulled. Busybox (static) provides the shell
// and the wget the healthchecks run, as the upstream busybox and alpine
// bases do.
func (im image) dockerfile() string {
	c := im.contract
	var b strings.Builder
	b.WriteString("FROM scratch\nCOPY rootfs/ /\n")
	b.WriteString(`RUN ["/bin/busybox", "--install", "-s", "/bin"]` + "\n")
	fmt.Fprintf(&b, "COPY bin %s\n", c.Path)
	for p, f := range im.extra {
		fmt.Fprintf(&b, "COPY %s %s\n", f, p)
	}
	folders := slices.Sorted(maps.Keys(c.Folders))
	fmt.Fprintf(&b, "RUN mkdir -p /tmp %s && chmod 1777 /tmp", strings.Join(folders, " "))
	for _, f := range folders {
		fmt.Fprintf(&b, " && chown -R %s %s", c.Folders[f], f)
	}
	b.WriteString("\n")
	for _, k := range slices.Sorted(maps.Keys(c.Env)) {
		fmt.Fprintf(&b, "ENV %s=%s\n", k, c.Env[k])
	}
	for _, p := range c.Exposed {
		fmt.Fprintf(&b, "EXPOSE %s\n", p)
	}
	for _, v := range c.Volumes {
		fmt.Fprintf(&b, "VOLUME [%q]\n", v)
	}
	if c.User != "" {
		fmt.Fprintf(&b, "USER %s\n", c.User)
	}
	fmt.Fprintf(&b, "WORKDIR %s\n", c.Workdir)
	if c.Entrypoint != nil {
		fmt.Fprintf(&b, "ENTRYPOINT %s\n", jsonList(c.Entrypoint))
	}
	if c.Cmd != nil {
		fmt.Fprintf(&b, "CMD %s\n", jsonList(c.Cmd))
	}
	fmt.Fprintf(&b, "LABEL %s=%q\n", labelSource, im.source)
	return b.String()
}

func jsonList(l []string) string {
	b, _ := json.Marshal(l)
	return string(b)
}

// passwd and group are the accounts of the upstream images' bases.
const (
	passwd = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\ngrafana:x:472:0::/home/grafana:/sbin/nologin\n"
	group  = "root:x:0:\nnobody:x:65534:\n"
)

// build builds im unless an image of that tag built from the same inputs
// is there. An image of that tag the phase did not build (the real
// upstream image, pulled by the user) is used as it is: it must keep the
// same contract, and the phase checks it the same way.
func (r *run) buildImage(ctx context.Context, im image, busybox string) (string, error) {
	df := im.dockerfile()
	key, err := hashFiles(df, busybox, im.bin)
	if err != nil {
		return "", err
	}
	out, err := docker(ctx, "image", "inspect", "--format", `{{index .Config.Labels "`+labelKey+`"}}`, im.ref)
	switch have := strings.TrimSpace(out); {
	case err == nil && have == key:
		return "kept (same inputs)", nil
	case err == nil && have == "":
		return "upstream image found, used as it is", nil
	}
	dir, err := os.MkdirTemp("", "lms-ops-image-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	files := map[string]string{"rootfs/bin/busybox": busybox, "bin": im.bin}
	for _, f := range im.extra {
		files[f] = filepath.Join(r.dir, "standin", f)
	}
	for dst, src := range files {
		if err := copyFile(filepath.Join(dir, dst), src, 0o755); err != nil {
			return "", err
		}
	}
	for p, data := range map[string]string{"Dockerfile": df, "rootfs/etc/passwd": passwd, "rootfs/etc/group": group} {
		if err := writeFile(filepath.Join(dir, p), data); err != nil {
			return "", err
		}
	}
	_, err = command(ctx, dir, []string{"DOCKER_BUILDKIT=0"}, "docker", "build", "-q", "--label", labelKey+"="+key, "-t", im.ref, ".")
	if err != nil {
		return "", fmt.Errorf("build %s: %w", im.ref, err)
	}
	r.built = append(r.built, im.ref)
	return "built", nil
}

// busyboxPath finds a static busybox on the host (Debian: busybox-static).
func busyboxPath() (string, error) {
	p, err := exec.LookPath("busybox")
	if err != nil {
		return "", fmt.Errorf("no busybox on PATH: the images need a static busybox for their shell and the healthchecks' wget (Debian: apt-get install busybox-static)")
	}
	if dynamic, err := dynamicallyLinked(p); err != nil || dynamic {
		return "", fmt.Errorf("%s is not statically linked (an image built FROM scratch has no C library): install busybox-static", p)
	}
	return p, nil
}

// dynamicallyLinked tells whether an ELF binary asks for a program
// interpreter (the C library's loader).
func dynamicallyLinked(p string) (bool, error) {
	f, err := elf.Open(p)
	if err != nil {
		return false, err
	}
	defer f.Close()
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			return true, nil
		}
	}
	return false, nil
}

func hashFiles(text string, files ...string) (string, error) {
	h := sha256.New()
	io.WriteString(h, text)
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return "", err
		}
		_, err = io.Copy(h, fh)
		fh.Close()
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

func copyFile(dst, src string, mode os.FileMode) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, data, mode)
}

func writeFile(p, data string) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(data), 0o644)
}

// inspected is what docker image inspect says of an image's contract.
type inspected struct {
	Config struct {
		User         string
		WorkingDir   string
		Entrypoint   []string
		Cmd          []string
		Env          []string
		Volumes      map[string]struct{}
		ExposedPorts map[string]struct{}
		Labels       map[string]string
	}
}

// checkContract compares an image, as Docker inspects it, with its
// contract, and the owners of its folders as a container sees them.
func checkContract(ctx context.Context, ref string, c Contract) error {
	out, err := docker(ctx, "image", "inspect", ref)
	if err != nil {
		return err
	}
	var got []inspected
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 1 {
		return fmt.Errorf("inspect %s: %v", ref, err)
	}
	cfg := got[0].Config
	var bad []string
	want := func(what string, have, pinned any) {
		if fmt.Sprint(have) != fmt.Sprint(pinned) {
			bad = append(bad, fmt.Sprintf("%s is %v, the contract says %v", what, have, pinned))
		}
	}
	want("user", cfg.User, c.User)
	want("working directory", cfg.WorkingDir, c.Workdir)
	want("entrypoint", cfg.Entrypoint, c.Entrypoint)
	want("command", cfg.Cmd, c.Cmd)
	want("volumes", slices.Sorted(maps.Keys(cfg.Volumes)), slices.Sorted(slices.Values(c.Volumes)))
	want("exposed ports", slices.Sorted(maps.Keys(cfg.ExposedPorts)), slices.Sorted(slices.Values(c.Exposed)))
	for k, v := range c.Env {
		if !slices.Contains(cfg.Env, k+"="+v) {
			bad = append(bad, fmt.Sprintf("environment has no %s=%s", k, v))
		}
	}
	// Owners and the tools the healthchecks run, as a container sees them.
	script := "id -u; id -g; command -v wget >/dev/null && echo wget; command -v sh >/dev/null && echo sh"
	for _, f := range slices.Sorted(maps.Keys(c.Folders)) {
		script += "; stat -c '%u:%g' " + f
	}
	out, err = docker(ctx, "run", "--rm", "--entrypoint", "/bin/sh", ref, "-c", script)
	if err != nil {
		return fmt.Errorf("%s: %w", ref, err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	wantLines := []string{fmt.Sprint(c.UID), fmt.Sprint(c.GID), "wget", "sh"}
	for _, f := range slices.Sorted(maps.Keys(c.Folders)) {
		wantLines = append(wantLines, c.Folders[f])
	}
	want("uid, gid, wget, sh and folder owners", lines, wantLines)
	if len(bad) > 0 {
		return fmt.Errorf("%s breaks its contract:\n  %s", ref, strings.Join(bad, "\n  "))
	}
	return nil
}
