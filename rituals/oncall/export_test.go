package oncall

import "context"

// PlanPass runs one pass of the look-ahead at the clock's time.
func (r *Rotation) PlanPass(ctx context.Context) error {
	_, err := r.planPass(ctx, r.Clock.Now())
	return err
}
