package logdriver

// noneFactory is the driver that keeps nothing (--log-driver none).
func noneFactory() Factory {
	return Factory{
		Name:       "none",
		AnyOptions: true,
		New:        func(Info) (Driver, error) { return noneDriver{}, nil },
		Readback:   ReadbackNone,
	}
}

type noneDriver struct{}

func (noneDriver) Name() string       { return "none" }
func (noneDriver) Log(*Message) error { return nil }
func (noneDriver) Close() error       { return nil }
