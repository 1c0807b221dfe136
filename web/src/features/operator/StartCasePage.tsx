/** Placeholder until the screen is built. */
export default function StartCasePage() {
  return <h1 className="h3">StartCasePage</h1>;
}
