// Package backend is the seam between the scenario language and whatever
// runs the containers. starlib and cmd/berth import this package and
// runtime/spec only; cmd/berth picks the implementation (the embedded
// engine, runtime/engine; the fake of the tests, backend/fake; later a
// Docker daemon).
//
// Two levels:
//
//   - Backend, implemented once per way of running containers: it creates
//     containers (Container, with its small interfaces Lifecycle,
//     Processes, LogSource, PortProbe, Files, Networking, Resources,
//     Committer), stores networks and volumes under the names it is
//     given (NetworkStore, VolumeStore), and has Images and a Host.
//   - Sandbox, implemented once, here, over any Backend (Sandboxes): the
//     scenario's names, scoped to the sandbox and its parent; the default
//     bridge of each file; the close order; and, as functions over small
//     interfaces, WaitForLog, WaitForPort and the failure diagnostics
//     (Describe, LastLines). A backend gets them for free; a backend
//     resolves the names in a container's spec through the Scope it is
//     handed at create.
//
// Data crosses the seam as plain values with exported fields (NetworkInfo,
// VolumeInfo, ImageInfo, ContainerState, ExecResult, Stats, …) and inspect
// documents as map[string]any. Errors print Docker's text and match the
// sentinels of errors.go with errors.Is.
//
// # What the builtins and the CLI called, and what they call now
//
//	starlib/container (module, value, options)
//	  Bind(th, *engine.Sandbox), SandboxOf        Bind(th, Sandbox), SandboxOf → Sandbox
//	  sb.Run(ctx, cs, engine.RunOptions)          Sandbox.Run(ctx, cs, RunOptions)
//	  sb.Create(ctx, cs)                          Sandbox.Create(ctx, cs)
//	  sb.Lookup(ref)                              Sandbox.Lookup(ref)
//	  EngineOf(th).Images(), sb.Engine()          Sandbox.Images()
//	  c.ID/Name/ImageRef/Hostname/IP/IPs/State    Container (Identity), same names
//	  engine.Status*                              Status* (state.go)
//	  c.ForegroundOutput() (o, so, se, ok)        Container.ForegroundOutput() (Output, ok)
//	  c.Exec(ctx, engine.ExecOptions)             Container.Exec(ctx, ExecOptions)
//	  c.Logs(ctx, engine.LogOptions)              Container.Logs(ctx, LogOptions)
//	  c.WaitForLog(ctx, re, n, timeout)           WaitForLog(ctx, c, re, n, timeout)
//	  c.WaitForPort(ctx, port, timeout)           WaitForPort(ctx, c, port, timeout)
//	  c.Wait(ctx)                                 Container.Wait(ctx)
//	  c.Start(ctx)                                Container.Start(ctx, StartOptions{})
//	  c.Stop(ctx, t), c.Restart(ctx, t)           Container.Stop(ctx, t), Restart(ctx, t)
//	  c.Kill(sig)                                 Container.Kill(ctx, sig)
//	  c.Remove(ctx, engine.RemoveOptions)         Container.Remove(ctx, RemoveOptions)
//	  c.Inspect()                                 Container.Inspect(ctx) (doc, error)
//	  c.ReadFile(p), c.WriteFile(p, b)            Container.ReadFile(ctx, p), WriteFile(ctx, p, b)
//	starlib/network
//	  sb.CreateNetwork(name, engine.NetworkOptions) Sandbox.CreateNetwork(ctx, name, NetworkOptions)
//	  sb.Network(name), sb.Networks()             Sandbox.Network(ctx, name), Networks(ctx)
//	  sb.InspectNetwork(name)                     Sandbox.InspectNetwork(ctx, name)
//	  sb.RemoveNetwork(name)                      Sandbox.RemoveNetwork(ctx, name)
//	  c.ConnectNetwork(n, aliases, ip)            Container.ConnectNetwork(ctx, n, EndpointOptions{aliases, ip})
//	  c.DisconnectNetwork(n)                      Container.DisconnectNetwork(ctx, n)
//	  n.Name, n.ID(), n.Driver(), n.Subnet(), n.Gateway()  NetworkInfo fields
//	starlib/volume
//	  sb.CreateVolume(name, engine.VolumeOptions) Sandbox.CreateVolume(ctx, name, VolumeOptions)
//	  sb.Volume(name), sb.Volumes()               Sandbox.Volume(ctx, name), Volumes(ctx)
//	  sb.RemoveVolume(name, force)                Sandbox.RemoveVolume(ctx, name, force)
//	  v.Name, v.Mountpoint(), v.StoreName()       VolumeInfo.Name, Mountpoint, StoredName
//	  v.Inspect()                                 VolumeInfo.Inspect()
//	starlib/image (*image.Store from StoreFunc)
//	  st.List(), st.Get(ref)                      Images.List(ctx), Get(ctx, ref)
//	  st.Load(p), st.ImportRootfs(p, ref)         Images.Load(ctx, p), ImportRootfs(ctx, p, ref)
//	  st.Tag(src, dst), st.Remove(ref)            Images.Tag(ctx, src, dst), Remove(ctx, ref)
//	  img.ID, img.RepoTags, img.Inspect()         ImageInfo.ID, RepoTags, Inspect(), Summary()
//	starlib/host
//	  netlink.LinkAdd/LinkSetUp/LinkDel (veth)    Host.CreateVethPair(ctx), RemoveVethPair(ctx, p)
//	starlib/harness, starlib/runner
//	  e.NewSandbox(label, parent), caseFile(label) Sandboxes.New(label, parent): the runner passes the parent
//	  sandbox.Diagnostics(), Close()              Sandbox.Diagnostics(ctx), Close()
//	  harness.Options(*engine.Engine)             harness.Options(Backend)
//	cmd/berth
//	  engine.Open(engine.Options{Root})           the --backend's constructor → Backend
//	  e.Close() (closing open sandboxes)          Sandboxes.Close(), then Backend.Close()
//	  e.GC() (engine.GCReport)                    Backend.GC(ctx) (GCReport)
//	  e.Images().List/Get/Load/ImportRootfs/Tag/Remove   Backend.Images(), as starlib/image
//	  e.Volumes().List(), Get(name)               Backend.ListVolumes(ctx), Volume(ctx, name)
//	  volume.Volume.Inspect()                     VolumeInfo.Inspect() (one document)
//	  e.RemoveStoreVolume(name)                   Backend.RemoveVolume(ctx, name, name)
//	  e.PruneVolumes()                            Backend.PruneVolumes(ctx)
//
// starlib/enginetest, cmd/berth-bench and the engine's own tests measure
// and check the embedded engine itself (its root, cgroups, runc) and keep
// using runtime/engine.
//
// # For the next issues
//
// Container.Update (ResourcesPatch), Container.Stats, Container.Commit,
// Images.Pull, Images.Push, Images.Save and Images.Prune are part of the
// seam already; a backend without one returns ErrNotImplemented.
package backend
