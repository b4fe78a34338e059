namespace Larder.Fuzz;

/// <summary>
/// One fuzz target: feeds an input to a parser and returns normally when the parser accepted it, or refused it with
/// one of its documented exceptions. Any other exception is a finding: an undocumented exception escaping the parser,
/// or a <see cref="FuzzFindingException"/> for a broken promise (a write outside the target directory, a round trip
/// that changes the data).
/// </summary>
internal interface IFuzzTarget
{
    /// <summary>The name <c>eng/fuzz.sh</c> and the command line use.</summary>
    string Name { get; }

    /// <summary>What the target exercises, in one line.</summary>
    string Covers { get; }

    void Run(byte[] input);
}
