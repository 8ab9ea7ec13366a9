package core

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestGrowth(t *testing.T) {
	tests := []struct {
		name                        string
		busy, saturated             bool
		ready, executors, max, want int
	}{
		{"computing: one more", true, false, 50, 2, 128, 1},
		{"blocked: one per ready processor", false, false, 50, 2, 128, 50},
		{"blocked: no more than the maximum", false, false, 500, 100, 128, 28},
		{"looks blocked on a saturated machine: a step", false, true, 500, 4, 128, 16},
		{"looks blocked on a saturated machine: or doubles", false, true, 500, 40, 128, 40},
		{"at the maximum: still one, the spawner refuses", false, false, 5, 128, 128, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, growth(tt.busy, tt.saturated, tt.ready, tt.executors, tt.max))
		})
	}
}

func TestProcsRunning(t *testing.T) {
	n, ok := procsRunning([]byte("cpu  1 2 3\nctxt 99\nprocs_running 7\nprocs_blocked 0\n"))
	assert.True(t, ok)
	assert.Equal(t, 7, n)
	_, ok = procsRunning([]byte("cpu 1 2 3\n"))
	assert.False(t, ok)
}
