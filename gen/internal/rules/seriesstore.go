package rules

import (
	"context"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"

	"github.com/lms/lms-ops/gen/internal/model"
)

// seriesStore holds a rule case's input series in a Prometheus TSDB head,
// the in-memory part of the server's storage, and hands them out as time
// goes on, as promtool's lazy loader does. A bare head, rather than a
// whole database, because a rule case lives for milliseconds: a database
// opens a write-ahead log and allocates for 16k series, which costs more
// than the evaluation itself.
type seriesStore struct {
	dir     string
	head    *tsdb.Head
	pending []loadedSeries
}

// loadedSeries is one input series and its samples not yet appended.
type loadedSeries struct {
	labels labels.Labels
	// ref is the series in the head once its first sample is appended:
	// appending by reference skips hashing the labels to find it again,
	// as Prometheus's scrape loop caches it (2 s of CPU in the thresholds
	// fuzz's 4.6 s of appends).
	ref     storage.SeriesRef
	samples []sample
}

type sample struct {
	t int64
	v float64
}

// newSeriesStore parses the series in load notation, one sample per
// interval from time 0, up to the horizon.
func newSeriesStore(series []model.InputSeries, interval, horizon time.Duration) (*seriesStore, error) {
	n := int(horizon / interval)
	st := &seriesStore{}
	for _, s := range series {
		lbls, vals, err := parser.ParseSeriesDesc(s.Series + " " + s.LoadValues(n))
		if err != nil {
			return nil, fmt.Errorf("series %s: %w", s.Series, err)
		}
		ls := loadedSeries{labels: lbls}
		for i, v := range vals {
			if !v.Omitted {
				ls.samples = append(ls.samples, sample{t: int64(i) * interval.Milliseconds(), v: v.Value})
			}
		}
		st.pending = append(st.pending, ls)
	}
	dir, err := os.MkdirTemp("", "lms-ops-rules-")
	if err != nil {
		return nil, err
	}
	opts := tsdb.DefaultHeadOptions()
	opts.ChunkDirRoot = dir
	opts.StripeSize = 64
	// A day-long window needs a day of samples in the head.
	opts.ChunkRange = math.MaxInt64 / 4
	st.dir = dir
	if st.head, err = tsdb.NewHead(nil, nil, nil, nil, opts, nil); err != nil {
		st.close()
		return nil, err
	}
	if err := st.head.Init(math.MinInt64); err != nil {
		st.close()
		return nil, err
	}
	return st, nil
}

// appendTill appends every sample up to ts (time since 0).
func (st *seriesStore) appendTill(ts time.Duration) error {
	app := st.head.Appender(context.Background())
	for i := range st.pending {
		p := &st.pending[i]
		k := 0
		for ; k < len(p.samples) && p.samples[k].t <= ts.Milliseconds(); k++ {
			ref, err := app.Append(p.ref, p.labels, p.samples[k].t, p.samples[k].v)
			if err != nil {
				app.Rollback()
				return fmt.Errorf("append %s: %w", p.labels, err)
			}
			p.ref = ref
		}
		p.samples = p.samples[k:]
	}
	return app.Commit()
}

// Querier implements storage.Queryable over the head.
func (st *seriesStore) Querier(mint, maxt int64) (storage.Querier, error) {
	return tsdb.NewBlockQuerier(tsdb.NewRangeHead(st.head, mint, maxt), mint, maxt)
}

// close closes the head and removes its directory. The head is emptied
// first: Head.Close writes every full chunk of every series to the chunk
// files (mmapHeadChunks, for the next start of a server), a seventh of an
// SLO case's time for files removed the next moment; a head truncated to
// the end of time holds no series, and closes at once. Every query on it
// is closed by then, so the truncation waits for no reader.
func (st *seriesStore) close() {
	if st.head != nil {
		st.head.Truncate(math.MaxInt64)
		st.head.Close()
	}
	os.RemoveAll(st.dir)
}
