package rituals

// Local reports whether s fires at wall-clock times of its zone (a cron
// spec), so that In gives the same local times in another zone; an
// "@every" interval fires at the same instants in every zone.
func (s *Schedule) Local() bool { return s.every == 0 }
