namespace Larder.Fuzz;

/// <summary>The code under test accepted an input but broke a promise it makes about it.</summary>
internal sealed class FuzzFindingException(string message) : Exception(message)
{
    /// <summary>Throws unless <paramref name="holds"/>.</summary>
    public static void Check(bool holds, string promise)
    {
        if (!holds)
        {
            throw new FuzzFindingException(promise);
        }
    }
}
