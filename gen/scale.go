package gen

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue/ast"

	"github.com/lms/lms-ops/gen/internal/cueedit"
	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
)

// ScaleSizes are the environment counts gen's cost is measured at, by the
// bench and by TestLinearInEnvironments; PerEnvironment reads them.
var ScaleSizes = []int{2, 10, 100}

// PerEnvironment is what one more environment costs between 2 and 10
// environments and between 10 and 100, from the costs at each of
// ScaleSizes (times, or counts).
func PerEnvironment[T ~int64 | ~float64](at map[int]T) (small, large T) {
	return (at[10] - at[2]) / 8, (at[100] - at[10]) / 90
}

// ScaleCopy writes into dst a copy of the model under root (cue.mod/,
// schema/, derive/, envs/, and a link to tools/ unless dst has its own)
// with n environments: the ones of root, then copies of its last one,
// each with its own job, target port, environment label and Slack channel.
// It is how bench measures gen as the number of environments grows.
func ScaleCopy(root, dst string, n int) error {
	for _, dir := range []string{"cue.mod", SchemaDir, DeriveDir, EnvsDir} {
		if err := output.CopyTree(filepath.Join(root, dir), filepath.Join(dst, dir)); err != nil {
			return err
		}
	}
	tools, err := filepath.Abs(filepath.Join(root, "tools"))
	if err != nil {
		return err
	}
	if _, err := os.Lstat(filepath.Join(dst, "tools")); errors.Is(err, fs.ErrNotExist) {
		if err := os.Symlink(tools, filepath.Join(dst, "tools")); err != nil {
			return err
		}
	}
	return AddEnvironments(dst, n)
}

// AddEnvironments adds environments to the model under root until it has
// n: copies of its environments in turn, each with its own job, target
// port, environment label and Slack channel. The copy of an environment
// that pages pages too (its label joins settingsPaging): the paging and
// the quiet environments grow together, as in a stack of one production
// and one staging per customer, so that a loop over their pairs shows.
func AddEnvironments(root string, n int) error {
	names, err := model.EnvNames(root)
	if err != nil || len(names) == 0 {
		return fmt.Errorf("no environment under %s to copy (%v)", root, err)
	}
	paging, err := cueedit.Strings(root, EnvsDir, settingsPaging)
	if err != nil {
		return err
	}
	pages := map[string]bool{}
	for _, name := range names {
		label, err := cueedit.String(root, path.Join(EnvsDir, name), "labels.environment")
		if err != nil {
			return err
		}
		pages[name] = slices.Contains(paging, label)
	}
	for i := len(names); i < n; i++ {
		from, to := names[i%len(names)], fmt.Sprintf("scale%03d", i)
		if err := CopyEnvironment(root, from, to, 20000+i); err != nil {
			return err
		}
		if pages[from] {
			paging = append(paging, to)
		}
	}
	list := make([]ast.Expr, len(paging))
	for i, p := range paging {
		list[i] = ast.NewString(p)
	}
	return cueedit.Apply(root, []cueedit.Override{{Dir: EnvsDir, Path: settingsPaging, Value: ast.NewList(list...)}})
}

// settingsPaging is the list of the environments that page, in envs/.
const settingsPaging = "settings.alertmanager.paging.environments"

// CopyEnvironment copies envs/<from>/ of the model under root to
// envs/<to>/, with to as its job, environment label and Slack channel, and
// its target on port (the job with "_" for "-").
func CopyEnvironment(root, from, to string, port int) error {
	if err := output.CopyTree(filepath.Join(root, EnvsDir, from), filepath.Join(root, EnvsDir, to)); err != nil {
		return fmt.Errorf("environment %s: %w", from, err)
	}
	dir := path.Join(EnvsDir, to)
	target, err := cueedit.String(root, dir, "target")
	if err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(target)
	if err != nil {
		return fmt.Errorf("environment %s: target %q: %w", from, target, err)
	}
	return cueedit.Apply(root, []cueedit.Override{
		{Dir: dir, Path: "job", Value: ast.NewString(strings.ReplaceAll(to, "-", "_"))},
		{Dir: dir, Path: "target", Value: ast.NewString(net.JoinHostPort(host, strconv.Itoa(port)))},
		{Dir: dir, Path: "labels.environment", Value: ast.NewString(to)},
		{Dir: dir, Path: "notify.slack_channel", Value: ast.NewString("#" + to)},
	})
}
