namespace Larder.Contracts.Push;

/// <summary>What an upload did: <see cref="Outcome"/> is <c>committed</c> or <c>already-present</c>.</summary>
public sealed record PushResult(string StorePath, string Outcome, string NarHash, long NarSize)
{
    public const string Committed = "committed";
    public const string AlreadyPresent = "already-present";
}
