/**
 * A message handed over by navigation (`navigate(to, { state: { flash } })`, e.g. "task
 * completed"), announced politely on the page it leads to.
 */
import { useEffect, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';

export function FlashMessage() {
  const location = useLocation();
  const navigate = useNavigate();
  // Kept for this visit only: the history entry forgets it, so a reload or "back" does not repeat it.
  const [flash] = useState(() => (location.state as { flash?: string } | null)?.flash);
  useEffect(() => {
    if (flash) void navigate({ pathname: location.pathname, search: location.search }, { replace: true, state: null });
    // Only on arrival: later changes of the address are the page's own.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <div aria-live="polite" role="status">
      {flash ? (
        <div className="alert alert-success" data-testid="flash">
          {flash}
        </div>
      ) : null}
    </div>
  );
}
