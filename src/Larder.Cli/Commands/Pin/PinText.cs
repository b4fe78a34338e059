using Larder.Contracts.Pins;

namespace Larder.Cli.Commands.Pin;

/// <summary>How pins and revisions are printed.</summary>
internal static class PinText
{
    public static string Keep(PinKeepDto keep) => keep switch
    {
        { Forever: true } => "keep forever",
        { Days: { } days } => $"keep {days} day(s)",
        { Revisions: { } count } => $"keep {count} revision(s)",
        _ => "keep current",
    };

    public static string Revision(PinRevisionDto revision)
    {
        var artifact = revision.Artifact is null ? "" : $" (artifact {revision.Artifact})";
        var by = revision.TokenId is null ? "" : $" by token {revision.TokenId} ({revision.TokenDescription})";
        var note = revision.Note is null ? "" : $"; {revision.Note}";
        var state = revision.Protected ? "protected" : $"released {revision.ReleasedAt:u}";
        return $"#{revision.Number}  {revision.CreatedAt:u}  {revision.StorePath}{artifact}{by}{note}; {state}";
    }

    /// <summary>The one-line summary after a pin was set, with the URLs Nix users need.</summary>
    public static string Summary(PinDto pin, Uri server)
    {
        var root = server.ToString().TrimEnd('/');
        var tarball = root + pin.TarballPath;
        var line = $"pin '{pin.Name}' is revision {pin.Current.Number}: {pin.Current.StorePath} ({Keep(pin.Keep)})\n  nix build -f {tarball} {pin.Name}";
        return pin.ArtifactPath is { } artifact ? $"{line}\n  artifact: {root}{artifact}" : line;
    }
}
