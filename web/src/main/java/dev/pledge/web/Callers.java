package dev.pledge.web;

import jakarta.ws.rs.core.SecurityContext;

/**
 * Who may see whose contacts, by the roles of the caller's token: the one rule every service applies to a
 * contact's views (docs/outcomes.md, README "A front end sees only what it sent").
 */
public final class Callers {
    private Callers() {
    }

    /** Agents and supervisors: they see every contact whole, the customer's name and words included. */
    public static boolean seesPeople(SecurityContext caller) {
        return caller.isUserInRole("agent") || caller.isUserInRole("supervisor");
    }

    /**
     * A front end (role {@code intake}) and no role that reads contacts in general: it sees only the contacts
     * it sent; any other is answered as one that does not exist.
     */
    public static boolean frontEndOnly(SecurityContext caller) {
        return caller.isUserInRole("intake") && !seesPeople(caller) && !caller.isUserInRole("analyst");
    }

    /** Whether this caller may see a contact that {@code sentBy} (a token subject, null if unknown) sent. */
    public static boolean maySee(SecurityContext caller, String sentBy) {
        return !frontEndOnly(caller) || caller.getUserPrincipal().getName().equals(sentBy);
    }
}
