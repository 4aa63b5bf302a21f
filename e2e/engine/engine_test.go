package engine

import (
	"slices"
	"strings"
	"testing"

	"github.com/lms/lms-ops/gen"
)

// root is the fixture stack (testdata/stack), never the live envs/.
const root = "../../testdata/stack"

// TestEveryImageHasAContract: a version raised in CUE without the new
// image's contract fails here, in check, not only in the engine run.
func TestEveryImageHasAContract(t *testing.T) {
	m, err := gen.Load(root)
	if err != nil {
		t.Fatal(err)
	}
	contracts, err := Contracts()
	if err != nil {
		t.Fatal(err)
	}
	for name, svc := range m.Stack.ComposeServices() {
		c, ok := contracts[svc.Image]
		if !ok {
			t.Errorf("service %s runs %s, which has no contract", name, svc.Image)
			continue
		}
		if c.Binary != "standin" && !slices.Contains([]string{"prometheus", "alertmanager", "caddy"}, c.Binary) {
			t.Errorf("%s: binary %q is not a server e2e builds", svc.Image, c.Binary)
		}
	}
}

// TestDockerfileFollowsTheContract: the recipe sets what the contract says,
// and nothing pulls a base image.
func TestDockerfileFollowsTheContract(t *testing.T) {
	contracts, err := Contracts()
	if err != nil {
		t.Fatal(err)
	}
	df := image{ref: "prom/alertmanager:v0.27.0", contract: contracts["prom/alertmanager:v0.27.0"], source: "alertmanager@v0.27.0"}.dockerfile()
	for _, want := range []string{
		"FROM scratch\n",
		"USER nobody\n",
		"WORKDIR /alertmanager\n",
		`ENTRYPOINT ["/bin/alertmanager"]`,
		`CMD ["--config.file=/etc/alertmanager/alertmanager.yml","--storage.path=/alertmanager"]`,
		"chown -R 65534:65534 /alertmanager",
		`VOLUME ["/alertmanager"]`,
		"EXPOSE 9093/tcp\n",
	} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q:\n%s", want, df)
		}
	}
	if strings.Count(df, "FROM ") != 1 || strings.Contains(df, "# syntax") {
		t.Errorf("Dockerfile must build FROM scratch only, with no syntax line (BuildKit would pull a frontend):\n%s", df)
	}
}

func TestSplitMapping(t *testing.T) {
	for _, c := range []struct{ in, ip, host, ctr, proto string }{
		{"127.0.0.1:9093:9093", "127.0.0.1", "9093", "9093", "tcp"},
		{"443:443/udp", "", "443", "443", "udp"},
		{"80:80", "", "80", "80", "tcp"},
	} {
		ip, host, ctr, proto := splitMapping(c.in)
		if ip != c.ip || host != c.host || ctr != c.ctr || proto != c.proto {
			t.Errorf("splitMapping(%q) = %q %q %q %q", c.in, ip, host, ctr, proto)
		}
	}
}

func TestProcAddr(t *testing.T) {
	for _, c := range []struct{ in, ip, port string }{
		{"0100007F:2385", "127.0.0.1", "9093"},
		{"00000000:0050", "0.0.0.0", "80"},
		{"00000000000000000000000000000000:01BB", "0.0.0.0", "443"},
	} {
		if ip, port := procAddr(c.in); ip != c.ip || port != c.port {
			t.Errorf("procAddr(%q) = %s %s, want %s %s", c.in, ip, port, c.ip, c.port)
		}
	}
}
