package dev.pledge.policy.feed;

/** Work named a policy version this service has not read (yet): it is never silently replaced by another. */
public class UnknownPolicyVersion extends IllegalStateException {
    private final int version;

    public UnknownPolicyVersion(int version, int newest) {
        super(version < 1 ? "the event names no policy version (" + version + "; versions start at 1)"
                : "policy version " + version + " is not known here (newest known: " + newest + ")");
        this.version = version;
    }

    public int version() {
        return version;
    }
}
