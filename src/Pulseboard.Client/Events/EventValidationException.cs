namespace Pulseboard;

/// <summary>An event broke a rule of the contract; <see cref="Error"/> names the field and the fix.</summary>
public sealed class EventValidationException : Exception
{
    /// <summary>Creates the exception for <paramref name="error"/>.</summary>
    public EventValidationException(EventError error)
        : base(error?.Message) => Error = error ?? throw new ArgumentNullException(nameof(error));

    /// <summary>The rule broken.</summary>
    public EventError Error { get; }
}
