namespace Larder.Cli.Commands.Explain;

/// <summary>One derivation of the graph being explained (as <c>nix show-derivation</c> prints it); paths are full store paths.</summary>
/// <param name="Path">The <c>.drv</c> path.</param>
/// <param name="Outputs">Output name to output path.</param>
/// <param name="InputDrvs">Input derivation to the names of its outputs this one needs.</param>
/// <param name="InputSrcs">Input sources (plain store paths).</param>
/// <param name="Env">The build environment.</param>
internal sealed record Derivation(
    string Path,
    IReadOnlyDictionary<string, string> Outputs,
    IReadOnlyDictionary<string, IReadOnlyList<string>> InputDrvs,
    IReadOnlyList<string> InputSrcs,
    string Builder,
    IReadOnlyList<string> Args,
    IReadOnlyDictionary<string, string> Env);
