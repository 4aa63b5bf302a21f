package engine

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/lms/lms-ops/gen"
)

// composeVersion is the Docker Compose v2 release the phase runs, the
// version tools/compose pins; the binary is stamped with it as Compose's
// own release build stamps it.
const composeVersion = "v2.40.3"

// docker runs the docker CLI and returns its standard output; the error
// carries its standard error.
func docker(ctx context.Context, args ...string) (string, error) {
	return command(ctx, "", nil, "docker", args...)
}

// command runs name in dir with extra environment and returns its output.
func command(ctx context.Context, dir string, env []string, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s %s: %v\n%s%s", filepath.Base(name), strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String(), nil
}

// daemon checks that a Docker daemon answers and returns its version and
// API version. Without one the phase fails: it never passes silently.
func daemon(ctx context.Context) (version, api string, err error) {
	if _, err := exec.LookPath("docker"); err != nil {
		return "", "", fmt.Errorf("no docker CLI on PATH: install Docker (Debian: apt-get install docker.io) and start the daemon")
	}
	out, err := docker(ctx, "version", "--format", "{{.Server.Version}} {{.Server.APIVersion}}")
	if err != nil {
		return "", "", fmt.Errorf("no Docker daemon answers: start one (as root: dockerd --storage-driver=vfs &, as .ci/run does), or point DOCKER_HOST at it\n%v", err)
	}
	f := strings.Fields(out)
	if len(f) != 2 {
		return "", "", fmt.Errorf("docker version: %q", out)
	}
	return f[0], f[1], nil
}

// composeBinary builds Docker Compose v2 once, from tools/compose, into the
// tool cache, and checks the version it reports.
func composeBinary(ctx context.Context, root string) (string, error) {
	bin, err := gen.ToolBinaryWith(filepath.Join(root, "tools", "compose"), "github.com/docker/compose/v2/cmd",
		gen.ToolOptions{Static: true, LDFlags: "-X github.com/docker/compose/v2/internal.Version=" + composeVersion})
	if err != nil {
		return "", err
	}
	out, err := command(ctx, "", nil, bin, "version", "--short")
	if err != nil {
		return "", err
	}
	if v := strings.TrimSpace(out); "v"+strings.TrimPrefix(v, "v") != composeVersion {
		return "", fmt.Errorf("compose reports version %q, want %s", v, composeVersion)
	}
	return bin, nil
}

// compose runs Docker Compose in the project directory with the given
// compose files, as an operator runs `docker compose -f ... <args>` there.
func (r *run) compose(ctx context.Context, files []string, args ...string) (string, error) {
	var all []string
	for _, f := range files {
		all = append(all, "-f", f)
	}
	return command(ctx, r.dir, r.composeEnv, r.composeBin, append(all, args...)...)
}
