// The functional tests start real servers and check Unix file modes: they run on Linux, as CI does.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
