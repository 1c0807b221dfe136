/** Placeholder until the screen is built. */
export default function CasePage() {
  return <h1 className="h3">CasePage</h1>;
}
