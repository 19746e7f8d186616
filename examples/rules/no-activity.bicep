// No provisioning records at all for two hours.
param workspaceId string = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/identity/providers/Microsoft.OperationalInsights/workspaces/entra-logs'
param location string = resourceGroup().location

resource rule 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'prov-no-activity'
  location: location
  kind: 'LogAlert'
  properties: {
    displayName: 'No provisioning activity'
    severity: 2
    enabled: true
    scopes: [
      workspaceId
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT2H'
    criteria: {
      allOf: [
        {
          query: '''
AADProvisioningLogs
'''
          timeAggregation: 'Count'
          operator: 'LessThan'
          threshold: 1
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
  }
}
