package webhooks

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"
)

// DeliveryKeep is how long a delivery is remembered: a week, longer than
// the senders' automatic retries and than GitHub's redelivery history (3
// days), so that neither a retry nor a captured delivery posted again is
// taken twice.
const DeliveryKeep = 7 * 24 * time.Hour

// DeliveryStore keeps the deliveries taken, durably (the store).
type DeliveryStore interface {
	DeliverySeen(source, key string, since time.Time) (bool, error)
	RecordDelivery(source, key string, at, forgetBefore time.Time) error
}

// Deliveries remembers the webhook deliveries taken for DeliveryKeep, by a
// key the sender signed: PagerDuty's event id, or for GitHub the digest
// of the body (its X-GitHub-Delivery header is outside the signature, so
// a replay could change it). A nil *Deliveries remembers nothing.
type Deliveries struct {
	Store DeliveryStore
	Now   func() time.Time
}

// Seen reports whether the delivery was taken within DeliveryKeep.
func (d *Deliveries) Seen(source, key string) (bool, error) {
	if d == nil || key == "" {
		return false, nil
	}
	return d.Store.DeliverySeen(source, key, d.Now().Add(-DeliveryKeep))
}

// Record remembers that the delivery was taken.
func (d *Deliveries) Record(source, key string) error {
	if d == nil || key == "" {
		return nil
	}
	now := d.Now()
	return d.Store.RecordDelivery(source, key, now, now.Add(-DeliveryKeep))
}

// BodyKey is the key of a delivery identified by its signed body.
func BodyKey(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// recordOnSuccess wraps w so that the delivery is remembered once it is
// answered with a 2xx: a failed one must stay open to the sender's retry.
func (d *Deliveries) recordOnSuccess(w http.ResponseWriter, source, key string, fail func(error)) http.ResponseWriter {
	if d == nil {
		return w
	}
	return &recordingWriter{ResponseWriter: w, record: func() {
		if err := d.Record(source, key); err != nil {
			fail(err)
		}
	}}
}

type recordingWriter struct {
	http.ResponseWriter
	record  func()
	written bool
}

func (w *recordingWriter) WriteHeader(code int) {
	if !w.written {
		w.written = true
		if code >= 200 && code < 300 {
			w.record()
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	if !w.written {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}
