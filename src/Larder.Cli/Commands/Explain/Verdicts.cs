namespace Larder.Cli.Commands.Explain;

/// <summary>The verdicts of <c>larder explain</c>, as they appear in <c>--json</c>.</summary>
internal static class Verdicts
{
    /// <summary>Already in the local store: nothing to do.</summary>
    public const string ValidLocally = "valid-locally";

    /// <summary>Will be downloaded from a substituter.</summary>
    public const string Substitutable = "substitutable";

    /// <summary>A cache has it, but nix.conf does not list the cache in <c>substituters</c>.</summary>
    public const string NotASubstituter = "not-a-substituter";

    /// <summary>A cache has it, signed only by keys not in <c>trusted-public-keys</c>.</summary>
    public const string UntrustedKey = "untrusted-key";

    /// <summary>A cache has it, but one of its references is in no substituter.</summary>
    public const string MissingReference = "missing-reference";

    /// <summary>A Larder cache had it and garbage collection or a deletion removed it.</summary>
    public const string Evicted = "evicted";

    /// <summary>A Larder cache has a path of the same name built from a different derivation.</summary>
    public const string ChangedInput = "changed-input";

    /// <summary>No source has it or ever had it.</summary>
    public const string NeverPushed = "never-pushed";

    /// <summary>Not a root cause: it will be built because an input of its derivation will be built.</summary>
    public const string InputWillBeBuilt = "input-will-be-built";

    /// <summary>Whether a path with this verdict will be built.</summary>
    public static bool WillBeBuilt(string verdict) => verdict is not (ValidLocally or Substitutable);
}
