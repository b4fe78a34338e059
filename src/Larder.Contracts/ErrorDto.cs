namespace Larder.Contracts;

/// <summary>The body of every failed <c>/api/</c> request.</summary>
/// <param name="Error">A human-readable message naming the problem.</param>
/// <param name="Code">The error kind in camel case, e.g. <c>badRequest</c>, <c>notFound</c>, <c>conflict</c>.</param>
public sealed record ErrorDto(string Error, string Code);
