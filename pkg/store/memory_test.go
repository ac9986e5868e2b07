package store_test

import (
	"testing"

	"github.com/logwarden/logwarden/pkg/store"
	"github.com/logwarden/logwarden/pkg/store/storetest"
)

func TestMemoryState(t *testing.T) {
	storetest.Run(t, func(*testing.T) store.State { return store.NewMemory() })
}

func TestMemoryConfig(t *testing.T) {
	storetest.RunConfig(t, func(*testing.T) store.Config { return store.NewMemory() })
}
