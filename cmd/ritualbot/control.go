package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/internal/atomicfile"
	"github.com/ritualbot/ritualbot/internal/control"
	"github.com/ritualbot/ritualbot/store"
)

// The control channel's operations, by the name the CLI asks for.
const (
	opBackup = "backup"
	opExport = "export"
)

// controlOps are what the CLI may ask of the running bot over its control
// socket (internal/control, docs/OPERATIONS.md). An operation is one entry:
// its name and a control.Op that streams its answer to w; the CLI side is a
// call to onBot with the same name.
func (m *Main) controlOps() control.Ops {
	return control.Ops{
		opBackup: func(_ context.Context, _ []string, w io.Writer) error {
			_, err := m.DB.Backup(w)
			return err
		},
		opExport: func(_ context.Context, _ []string, w io.Writer) error { return m.DB.Export(w) },
		opErase:  m.eraseOp,
	}
}

// startControl opens the control socket next to the store and serves
// controlOps on it until Close.
func (m *Main) startControl() error {
	s, err := control.Listen(control.SocketPath(m.Loaded.Config.Store.Path), m.controlOps())
	if err != nil {
		return err
	}
	m.control = s
	m.goRun("control", s.Serve)
	return nil
}

// onBot runs op on the bot that holds the store, when one answers on the
// store's control socket, streaming its answer to w. ran is false when no
// bot runs: the caller then opens the store file itself.
func onBot(ctx context.Context, l *config.Loaded, op string, args []string, w io.Writer) (ran bool, err error) {
	err = control.Call(ctx, control.SocketPath(l.Config.Store.Path), op, args, w)
	if errors.Is(err, control.ErrNotRunning) {
		return false, nil
	}
	return true, err
}

// withStore runs f on the store file opened read-only: a stopped bot's
// store is read as it is, never created, never migrated.
func withStore(path string, f func(db *store.DB) error) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("store %s: %w", path, err)
	}
	db, err := store.Open(path, store.ReadOnly())
	if store.IsLocked(err) {
		return fmt.Errorf("store %s is held by a running ritualbot that does not answer on its control socket %s: "+
			"is it a version without one? Stop it, or back up with that version: %w", path, control.SocketPath(path), err)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	return f(db)
}

// readStore runs f on a copy of the store: a hot backup taken by the
// running bot, else a copy of the stopped store's file. The copy is brought
// to this version's schema; the store itself is left as it is.
func readStore(ctx context.Context, l *config.Loaded, f func(db *store.DB) error) error {
	dir, err := os.MkdirTemp("", "ritualbot-snapshot-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	snapshot := filepath.Join(dir, "snapshot.db")
	if err := backup(ctx, l, snapshot); err != nil {
		return err
	}
	db, err := store.Open(snapshot)
	if err != nil {
		return err
	}
	defer db.Close()
	return f(db)
}

// withEmptyStore runs f on a new, empty store in a temporary directory,
// removed after.
func withEmptyStore(f func(db *store.DB) error) error {
	dir, err := os.MkdirTemp("", "ritualbot-empty-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(filepath.Join(dir, "empty.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	return f(db)
}

// backup writes a backup of the store to out: from the running bot, else
// from the stopped store's file.
func backup(ctx context.Context, l *config.Loaded, out string) error {
	path := l.Config.Store.Path
	if same, err := atomicfile.Same(path, out); err != nil {
		return err
	} else if same {
		return fmt.Errorf("backup store %s to %s: that is the store file itself", path, out)
	}
	return atomicfile.Write(out, func(w io.Writer) error {
		if ran, err := onBot(ctx, l, opBackup, nil, w); ran || err != nil {
			return err
		}
		return withStore(path, func(db *store.DB) error {
			_, err := db.Backup(w)
			return err
		})
	})
}

func export(ctx context.Context, l *config.Loaded, w io.Writer) error {
	if ran, err := onBot(ctx, l, opExport, nil, w); ran || err != nil {
		return err
	}
	return withStore(l.Config.Store.Path, func(db *store.DB) error { return db.Export(w) })
}
