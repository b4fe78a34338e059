namespace Larder.Cli.Commands.Explain;

/// <summary>A place that may hold store paths: a substituter of nix.conf, or a Larder cache named with <c>--cache</c>.</summary>
internal abstract class PathSource
{
    /// <summary>How the report names it: the substituter URL (a Larder cache also by <c>server:cache</c>).</summary>
    public abstract string Name { get; }

    /// <summary>Its binary cache URL as nix.conf would name it (no trailing slash).</summary>
    public abstract string Url { get; }

    /// <summary>Whether nix.conf lists it in <c>substituters</c>.</summary>
    public bool IsSubstituter { get; init; }

    /// <summary>Whether it is a Larder cache (whose answers carry events and same-name paths).</summary>
    public abstract bool IsLarder { get; }

    /// <summary>One answer per asked store path (absent ones included), by full store path.</summary>
    public abstract Task<IReadOnlyDictionary<string, PathAnswer>> QueryAsync(IReadOnlyList<string> storePaths, CancellationToken cancellationToken);
}
